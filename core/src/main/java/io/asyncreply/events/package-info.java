/**
 * API: the event log of a {@link io.asyncreply.engine.TaskService} handed to many subscribers at
 * once, for event streams (server-sent events) and anything else that follows tasks as they change.
 *
 * <p>{@link io.asyncreply.events.EventHub} reads the log once per node (it is one listener of the
 * service's event dispatcher) and hands each event to every {@link io.asyncreply.events.Subscription}
 * that wants it: the subscriptions of one task through an index, those of every task through a
 * filter. A subscription can start from an event id (resume): it reads what it missed from the store
 * first, then joins the live feed without losing or repeating an event. Each subscription buffers at
 * most a bounded number of bytes; one that is not read fast enough is ended, never allowed to grow.
 * Nothing here starts a thread or waits: subscribers are woken ({@link io.asyncreply.events.Sink})
 * and pull ({@link io.asyncreply.events.Subscription#poll()}).
 */
package io.asyncreply.events;
