package io.asyncreply.engine;

/**
 * Whether a task's callback URL may be used ({@link SubmitRequest#callback(String)}): asked by the
 * admission of every submission that has one, a retry by hand included (which carries the
 * original's callback over, so it is judged again as things are at the retry). A refused URL
 * rejects the submission as {@link io.asyncreply.task.Rejection#INVALID_OPTION}; nothing is stored.
 *
 * <p>Threads: called on the submitting thread; it may resolve the URL's host name.
 */
@FunctionalInterface
public interface CallbackCheck {
    /** Accepts every URL: the default (a webhook dispatcher still checks its address policy at send time). */
    CallbackCheck ANY = url -> null;

    /** Why {@code url} may not be a callback, in words for the client, or {@code null} when it may. */
    String refusal(String url);
}
