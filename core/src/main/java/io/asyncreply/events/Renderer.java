package io.asyncreply.events;

import io.asyncreply.task.TaskEvent;

/**
 * Turns events into the bytes a subscriber sends on, in its own format (for instance one
 * server-sent event each). One renderer per {@link EventHub}: an event delivered live is rendered
 * once, on the event dispatcher's thread, and the same bytes go to every subscription that wants
 * it; an event read again for a resuming subscription is rendered on the thread that polls.
 *
 * <p>A renderer must not throw: when it cannot do all it would like (read a task's result, say), it
 * renders what the event holds.
 */
public interface Renderer {
    /** One event. */
    byte[] event(TaskEvent event);

    /**
     * A notice that events are gone from the log before the next one a subscription gets (a memory
     * log bounded in size evicted them): {@code count} of them, or an unknown number when negative.
     */
    byte[] missed(long count);

    /**
     * A notice that the event id a subscription was asked to resume after ({@code lastEventId}) is
     * not one of this log (it is newer than every event in it), so the subscription starts as if no
     * id had been given.
     */
    byte[] unknownLastEventId(long lastEventId);
}
