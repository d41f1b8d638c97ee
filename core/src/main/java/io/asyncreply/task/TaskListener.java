package io.asyncreply.task;

/**
 * Receives the events of the task log: every change of every task, made on any node sharing the
 * store, after it was committed, once, and in order for each task (see {@link TaskEvent}).
 * Subscribe with {@link io.asyncreply.engine.TaskService#listen(TaskListener)}.
 *
 * <p>Calls come on one thread, {@code asyncreply-events}, one event after the other. A listener
 * must not block: a slow one delays every later event for every listener of that service. A
 * listener that throws is logged and called again with the next event.
 */
@FunctionalInterface
public interface TaskListener {
    /** One event. */
    void onEvent(TaskEvent event);

    /**
     * The log dropped events this service had not delivered yet (it fell so far behind that they
     * were purged or, in a memory store, evicted): the listener missed {@code count} events, or an
     * unknown number when {@code count} is negative. Default: nothing.
     */
    default void onEventsMissed(long count) {
    }
}
