package io.asyncreply.events;

/** What {@link Subscription#poll()} has now. */
public sealed interface Next {

    /** Nothing now and nothing to wait for: poll again when the {@link Sink} is woken. */
    Next WAIT = new Idle(-1);

    /** Bytes to send: one event, or a notice (see {@link Renderer}). */
    record Frame(byte[] bytes) implements Next {
    }

    /**
     * Nothing now. {@code retryMillis} &lt; 0: poll again when the {@link Sink} is woken;
     * otherwise poll again after that many milliseconds as well (the store holds events back for a
     * moment, or could not be read, or a long catch-up yields its thread), whether woken or not.
     */
    record Idle(long retryMillis) implements Next {
    }

    /** The subscription is over, for {@code reason}; every later poll says the same. */
    record End(EndReason reason) implements Next {
    }
}
