/**
 * Traces: each attempt runs in an OpenTelemetry span that continues the submission's W3C trace
 * context ({@link io.asyncreply.web.trace.TracedHandler}). The OpenTelemetry API only: a no-op
 * unless the Java agent or an SDK is present.
 */
package io.asyncreply.web.trace;
