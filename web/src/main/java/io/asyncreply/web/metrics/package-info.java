/**
 * Metrics: Micrometer meters of the engine, the store and the web layer, exposed at
 * {@code GET /metrics} in the Prometheus text format ({@link io.asyncreply.web.metrics.Metrics}).
 */
package io.asyncreply.web.metrics;
