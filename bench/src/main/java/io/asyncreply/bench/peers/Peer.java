package io.asyncreply.bench.peers;

import java.util.Map;

/**
 * One system under comparison, over one {@link Backend} for one phase of a run. The harness
 * drives every system through the same calls in the same order:
 * <ol>
 *   <li>{@link #openClient}: a client that stores tasks but runs none (the queue fills);</li>
 *   <li>{@link #submit} or {@link #submitBatch} from 8 client threads;</li>
 *   <li>{@link #closeClient};</li>
 *   <li>{@link #startWorkers}: 8 workers drain what is queued and run what comes
 *       ({@link #submitLive});</li>
 *   <li>{@link #stopWorkers}, {@link #close}.</li>
 * </ol>
 * Every task is a no-op that tells the {@link Recorder} its index when it starts and ends.
 */
interface Peer extends AutoCloseable {
    /** Workers of every system in every figure. */
    int WORKERS = 8;

    /** Opens a client that stores tasks without running them; anything that runs anyway goes to {@code r}. */
    void openClient(Recorder r) throws Exception;

    /** Stores task {@code index}; durable (committed) when this returns. */
    void submit(int index) throws Exception;

    /**
     * Stores tasks {@code from} to {@code to - 1} with the system's own batch or pipelined call;
     * all durable when this returns.
     */
    void submitBatch(int from, int to) throws Exception;

    void closeClient() throws Exception;

    /** Starts {@link #WORKERS} workers, whose handler records in {@code r}; returns once they are ready. */
    void startWorkers(Recorder r) throws Exception;

    /**
     * While the workers run: submits task {@code index} through the running node, as an
     * application would to have it run at once. Returns when the call does (asyncreply: when the
     * submission is issued; its durability completes a stage later).
     */
    void submitLive(int index) throws Exception;

    /** Submissions made through {@link #submitLive} that were refused or failed. */
    long liveErrors();

    void stopWorkers() throws Exception;

    /** Releases what the system holds in the backend (the caller closes the backend). */
    @Override
    void close();

    /** What {@link #submitBatch} uses, in the system's own words. */
    String batchCall();

    /** The system's version and every setting that bears on the figures, for the record. */
    Map<String, String> settings();
}
