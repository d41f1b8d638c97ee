package io.asyncreply.events;

/**
 * The subscriber's side of a {@link Subscription}: told that {@link Subscription#poll()} may have
 * something new (an event, or the end). Called on the event dispatcher's thread, or on whichever
 * thread ended the subscription; it must not block and must not poll on that thread (hand the
 * polling over). Wake-ups may come when there is nothing new, and several may be merged into one.
 */
@FunctionalInterface
public interface Sink {
    /** Something may be ready to poll. */
    void wake();
}
