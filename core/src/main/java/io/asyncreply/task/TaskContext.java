package io.asyncreply.task;

/**
 * What a handler sees of the task it runs. One context per attempt; used only by the worker thread
 * that runs the handler, except {@link #isCancelled()}, which any thread may call.
 */
public interface TaskContext {
    /** The task's id. */
    String taskId();

    /** The task's type. */
    String type();

    /** The payload as submitted. Shared: do not modify. */
    byte[] payload();

    /** The payload's content type as submitted, or {@code null} when the client gave none. */
    String contentType();

    /**
     * This attempt's number, from 1. Delivery is at-least-once: an attempt may repeat work that an
     * earlier attempt (on a node that died, or that failed) already did, so handlers should be
     * idempotent or use this number to tell.
     */
    int attempt();

    /**
     * Whether the task has been cancelled or this worker has lost the task (lease lost, shutdown).
     * The worker's thread is also interrupted at that moment, so blocking calls end early; a
     * handler in a computing loop should check this and return or throw.
     */
    boolean isCancelled();

    /**
     * The W3C trace context ({@code traceparent}) the submission carried, or {@code null}: to
     * continue the submitter's trace in the work (a tracing decorator does so for every handler).
     * Default: {@code null}.
     */
    default String traceparent() {
        return null;
    }

    /**
     * Reports progress, 0 to 100. Cheap to call often: only changes are written.
     *
     * @throws IllegalArgumentException when {@code percent} is out of range
     */
    void progress(int percent);
}
