package io.asyncreply.engine;

import io.asyncreply.store.StoreEvents;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Task;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * What the store tells this node about other nodes' changes (on the store's listener thread,
 * which must not block): wakes the claimer for queued work, wakes the event dispatcher for new
 * events, stops a running attempt whose cancel was requested elsewhere. After lost wake-ups it
 * also reads again, on the notifier thread, every task running here (a cancel may have been
 * missed), at most {@value #MAX_RECHECKS} of them.
 */
final class RemoteEvents implements StoreEvents {
    private static final System.Logger LOG = System.getLogger(RemoteEvents.class.getName());
    static final int MAX_RECHECKS = 10_000;

    private final TaskStore store;
    private final Runnable wakeClaimer;
    private final EventDispatcher events;
    private final RunningTasks running;
    private final Executor notifier;

    RemoteEvents(TaskStore store, Runnable wakeClaimer, EventDispatcher events, RunningTasks running,
            Executor notifier) {
        this.store = store;
        this.wakeClaimer = wakeClaimer;
        this.events = events;
        this.running = running;
        this.notifier = notifier;
    }

    @Override
    public void taskQueued() {
        wakeClaimer.run();
    }

    @Override
    public void eventsAppended() {
        events.poke();
    }

    @Override
    public void cancelRequested(String id) {
        Execution ex = running.get(id);
        if (ex != null) {
            ex.cancel();
        }
    }

    @Override
    public void eventsMissed() {
        wakeClaimer.run();
        events.poke();
        try {
            notifier.execute(this::recheckRunning);
        } catch (RejectedExecutionException ignored) {
            // shut down
        }
    }

    private void recheckRunning() {
        int budget = MAX_RECHECKS;
        try {
            for (Execution ex : running.all()) {
                if (budget-- <= 0) {
                    return;
                }
                Optional<Task> t = store.find(ex.taskId());
                if (t.isPresent() && t.get().cancelRequested() && t.get().attempts() == ex.attempt()) {
                    ex.cancel();
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "could not look again at the tasks running here: {0}", e.getMessage());
        }
    }
}
