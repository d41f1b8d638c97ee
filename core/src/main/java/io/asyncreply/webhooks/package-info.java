/**
 * API: webhooks. A {@link io.asyncreply.webhooks.WebhookSubscription} asks for the terminal events
 * of an owner's tasks (of some types) to be delivered to a URL; a task submitted with a callback URL
 * has its own terminal event delivered there. Each such delivery is a
 * {@link io.asyncreply.webhooks.Delivery}: a row of the outbox, written by the task store in the same
 * transaction as the event it delivers, then claimed, sent and retried by
 * {@link io.asyncreply.webhooks.delivery.WebhookDispatcher}. {@link io.asyncreply.webhooks.WebhookStore}
 * is the SPI a store implements to keep subscriptions and deliveries.
 */
package io.asyncreply.webhooks;
