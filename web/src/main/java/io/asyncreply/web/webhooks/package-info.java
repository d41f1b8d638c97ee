/**
 * Webhooks in the web application: the {@link io.asyncreply.web.webhooks.Webhooks} of a deployment
 * (its settings, the store's subscriptions and outbox, the dispatcher that sends them, started and
 * stopped with the application) and the checks of URLs clients give.
 */
package io.asyncreply.web.webhooks;
