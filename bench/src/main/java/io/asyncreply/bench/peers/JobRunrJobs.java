package io.asyncreply.bench.peers;

/**
 * The no-op job that JobRunr runs: JobRunr stores a job as a call to a public method with its
 * arguments (found by analysing the enqueued lambda's bytecode), and its workers call this static
 * method. JobRunr has no handler objects to hand a {@link Recorder} to, hence the static field,
 * set before the workers start.
 */
public final class JobRunrJobs {
    static volatile Recorder recorder;

    private JobRunrJobs() {
    }

    /** Task {@code index}: tells the recorder, does nothing else. */
    public static void run(int index) {
        Recorder r = recorder;
        if (r != null) {
            r.started(index);
            r.ended(index);
        }
    }
}
