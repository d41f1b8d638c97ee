/**
 * Server-sent events: {@code GET /tasks/{id}/events} and {@code GET /events} as
 * {@code text/event-stream}, served by an async servlet filter in front of Jersey that writes with a
 * {@link jakarta.servlet.WriteListener} and holds no thread per stream. The events come from core's
 * {@link io.asyncreply.events.EventHub}; this package parses the request, asks the caller's scope
 * ({@link io.asyncreply.web.auth.Caller}), writes the frames and the heartbeats, and ends every
 * stream on undeploy.
 */
package io.asyncreply.web.events;
