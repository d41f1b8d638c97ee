package io.asyncreply.task;

/**
 * A health snapshot of a {@link TaskService}.
 *
 * @param storeUp whether the store answered
 * @param accepting whether submissions are accepted (false once shutdown began)
 * @param queued tasks waiting in the store (all nodes), or -1 when the store did not answer
 * @param running tasks running on this node's workers
 * @param workers size of this node's worker pool
 * @param queueCapacity the bound on queued tasks
 * @param storeError why the store is down, or {@code null}
 */
public record Health(boolean storeUp, boolean accepting, long queued, int running, int workers, long queueCapacity,
        String storeError) {
    /** Up when the store answers and submissions are accepted. */
    public boolean isUp() {
        return storeUp && accepting;
    }
}
