package io.asyncreply.engine;

import io.asyncreply.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Pending waits for tasks to become terminal. No thread is parked per waiter: a waiter is a
 * future in a map, completed by whoever learns that its task finished, or by its timeout.
 *
 * <p>Race: a waiter must be {@link #add registered} before its caller reads the task's current
 * state; then a finish that happens between the read and the registration cannot be missed (the
 * finisher either sees the waiter, or the reader sees the terminal state).
 */
final class Waiters {
    /** One pending wait. Completed at most once; whoever removes it from the map completes it. */
    static final class Waiter {
        final String id;
        final CompletableFuture<Optional<Task>> future = new CompletableFuture<>();
        volatile Future<?> timeout;

        Waiter(String id) {
            this.id = id;
        }
    }

    private final Map<String, List<Waiter>> byId = new ConcurrentHashMap<>();

    Waiter add(String id) {
        Waiter w = new Waiter(id);
        byId.compute(id, (k, list) -> {
            List<Waiter> l = list == null ? new ArrayList<>(2) : list;
            l.add(w);
            return l;
        });
        return w;
    }

    /** Removes {@code w}; true when this call removed it (and so must complete it). */
    boolean remove(Waiter w) {
        boolean[] removed = new boolean[1];
        byId.computeIfPresent(w.id, (k, list) -> {
            removed[0] = list.remove(w);
            return list.isEmpty() ? null : list;
        });
        return removed[0];
    }

    /** Completes every waiter of {@code task}'s id with it. */
    void complete(Task task) {
        List<Waiter> list = byId.remove(task.id());
        if (list != null) {
            Optional<Task> value = Optional.of(task);
            for (Waiter w : list) {
                cancelTimeout(w);
                w.future.complete(value);
            }
        }
    }

    /** Whether anyone waits for {@code id}. */
    boolean isWaitedFor(String id) {
        return byId.containsKey(id);
    }

    /** The ids waited for at this moment (a snapshot). */
    List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    int size() {
        int n = 0;
        for (List<Waiter> l : byId.values()) {
            n += l.size();
        }
        return n;
    }

    /** Completes every waiter with what {@code current} says of its task (shutdown). */
    void drain(Function<String, Optional<Task>> current) {
        for (String id : List.copyOf(byId.keySet())) {
            List<Waiter> list = byId.remove(id);
            if (list == null) {
                continue;
            }
            Optional<Task> value;
            try {
                value = current.apply(id);
            } catch (RuntimeException e) {
                for (Waiter w : list) {
                    cancelTimeout(w);
                    w.future.completeExceptionally(e);
                }
                continue;
            }
            for (Waiter w : list) {
                cancelTimeout(w);
                w.future.complete(value);
            }
        }
    }

    private static void cancelTimeout(Waiter w) {
        Future<?> t = w.timeout;
        if (t != null) {
            t.cancel(false);
        }
    }
}
