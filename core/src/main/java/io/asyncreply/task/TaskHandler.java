package io.asyncreply.task;


/**
 * The work behind one task type. Implementations are found with {@link java.util.ServiceLoader}
 * (list them in {@code META-INF/services/io.asyncreply.task.TaskHandler}) or registered with
 * {@link io.asyncreply.engine.TaskService.Builder#handler(TaskHandler)}.
 *
 * <p>A handler is shared by all worker threads, so it must be thread-safe. It runs on a worker
 * thread of a fixed pool: blocking is allowed but holds that worker for the whole time.
 */
public interface TaskHandler {
    /**
     * The type name clients use in {@code POST /tasks/{type}}: 1 to 100 characters of letters,
     * digits, {@code .}, {@code _} and {@code -}, starting with a letter or digit.
     */
    String type();

    /** What the payload must be; checked before a task is accepted. Default: any bytes. */
    default InputFormat input() {
        return InputFormat.BYTES;
    }

    /**
     * Further checks of a payload at submit time, after the {@link #input()} check, so that bad
     * input is refused before it is accepted rather than failing later. Default: none.
     *
     * @throws InvalidPayloadException with a message for the client when the payload cannot run
     */
    default void validate(byte[] payload) throws InvalidPayloadException {
    }

    /** How failures are retried. Default: {@link RetryPolicy#none()}. */
    default RetryPolicy retryPolicy() {
        return RetryPolicy.none();
    }

    /**
     * Runs one attempt. Return the result to succeed; throw to fail the attempt (it is retried
     * when the {@link #retryPolicy()} allows). When the task is cancelled the thread is
     * interrupted; whatever the handler then returns or throws, the task ends {@code CANCELLED}.
     */
    TaskResult handle(TaskContext context) throws Exception;
}
