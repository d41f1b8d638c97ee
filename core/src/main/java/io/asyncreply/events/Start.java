package io.asyncreply.events;

/** What {@link EventHub#task} and {@link EventHub#all} did. */
public sealed interface Start {

    /** Subscribed: poll it, and {@link Subscription#close()} it when done with it. */
    record Opened(Subscription subscription) implements Start {
    }

    /** No such task, or one the caller may not see (another owner's): answered exactly alike. */
    record NotFound() implements Start {
    }

    /**
     * The task ended, and its terminal event is not after the id to resume from: the subscriber
     * has had everything this task will ever say. Nothing was subscribed.
     */
    record Finished() implements Start {
    }

    /** {@code max} subscriptions are open already: nothing was subscribed; try again later. */
    record Full(int max) implements Start {
    }

    /** The hub is closed (the service is stopping): nothing was subscribed. */
    record Closed() implements Start {
    }
}
