package io.asyncreply.engine;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Rejection;
import io.asyncreply.task.Submission;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskStatus;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A retry by hand ({@link TaskService#retry(String, String)}): a {@code FAILED} or {@code CANCELLED}
 * task is submitted again as a new task that points back at it ({@link Task#retryOf()}), through
 * the same admission as any submission (so a full queue or a closed service refuses it, and its
 * callback, carried over, is judged again by the {@link CallbackCheck}). The original stays as it
 * is: a terminal task never changes.
 */
final class Resubmission {
    private final TaskStore store;
    private final Function<SubmitRequest, CompletionStage<Submission>> submit;

    Resubmission(TaskStore store, Function<SubmitRequest, CompletionStage<Submission>> submit) {
        this.store = store;
        this.submit = submit;
    }

    Optional<CompletionStage<Submission>> retry(String id, String owner) {
        Optional<Task> task = store.find(id, owner);
        if (task.isEmpty()) {
            return Optional.empty();
        }
        TaskStatus status = task.get().status();
        if (status != TaskStatus.FAILED && status != TaskStatus.CANCELLED) {
            return Optional.of(CompletableFuture.completedFuture(new Submission.Rejected(Rejection.NOT_RETRYABLE,
                    "Only a FAILED or CANCELLED task can be retried; this one is " + status + ".")));
        }
        Optional<ClaimedTask> found = store.findWithPayload(id, owner);
        if (found.isEmpty()) { // purged meanwhile
            return Optional.empty();
        }
        ClaimedTask original = found.get();
        Task old = original.task();
        return Optional.of(submit.apply(SubmitRequest.of(old.type(), original.payload())
                .contentType(original.contentType()).owner(old.owner()).priority(old.priority())
                .callback(original.callback()).retryOf(old.id())));
    }
}
