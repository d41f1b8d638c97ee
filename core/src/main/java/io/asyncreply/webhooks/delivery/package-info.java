/**
 * API: sending webhooks. {@link io.asyncreply.webhooks.delivery.WebhookDispatcher} claims due
 * deliveries from the outbox, signs them ({@link io.asyncreply.webhooks.delivery.Signer}, Standard
 * Webhooks), checks where they go ({@link io.asyncreply.webhooks.delivery.AddressPolicy}), sends
 * them with the JDK's HTTP client on its own bounded set of threads, and records the outcome, with
 * retries on the {@link io.asyncreply.webhooks.delivery.Backoff} schedule.
 */
package io.asyncreply.webhooks.delivery;
