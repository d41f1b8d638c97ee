package io.asyncreply.engine;

import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Attempt;
import io.asyncreply.task.TaskEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A task's attempts ({@link TaskService#attempts(String, String)}), told by its event log: read in
 * pages, keeping only the events that start or end an attempt (progress events may be many), and
 * at most the latest {@code max} attempts.
 */
final class AttemptHistory {
    private static final int PAGE = 500;

    private final TaskStore store;
    private final int max;

    AttemptHistory(TaskStore store, int max) {
        this.store = store;
        this.max = max;
    }

    /** The attempts of task {@code id} of {@code owner} (null: anyone's), or empty when unknown or another's. */
    Optional<List<Attempt>> of(String id, String owner) {
        if (store.find(id, owner).isEmpty()) {
            return Optional.empty();
        }
        List<TaskEvent> ends = new ArrayList<>();
        long after = 0;
        while (true) {
            List<TaskEvent> page = store.taskEvents(id, after, PAGE, owner);
            for (TaskEvent e : page) {
                if (e.kind() != TaskEvent.Kind.PROGRESS && e.kind() != TaskEvent.Kind.QUEUED) {
                    ends.add(e);
                }
            }
            if (page.size() < PAGE) {
                break;
            }
            after = page.get(page.size() - 1).id();
        }
        List<Attempt> attempts = Attempt.of(ends);
        return Optional.of(attempts.size() <= max ? attempts
                : List.copyOf(attempts.subList(attempts.size() - max, attempts.size())));
    }
}
