package io.asyncreply.web.intake;

import io.asyncreply.web.http.Responses;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps the writing of one exchange's answer and the container's word that the exchange failed
 * apart: {@link #over()} waits for an answer being written, and no answer is written after it.
 *
 * <p>Hazard, why: the answer is often written on a thread the container did not give the exchange
 * (a store's answer, through {@code AsyncContext.start}). When a write there fails because the
 * client went away, Tomcat hands the error to a container thread, which calls the listeners'
 * {@code onError}, closes and recycles the response for the next request, while the failing
 * thread is still inside Tomcat's write and records the exception on the response afterwards: the
 * next request, on another connection, is then cut. So the error and timeout callbacks call
 * {@link #over()} before they return. {@code onComplete} must not: Tomcat calls it holding a
 * monitor that a failing write needs.
 */
final class AnswerGuard {
    private final ReentrantLock lock = new ReentrantLock();
    /** The container said the exchange failed; guarded by {@link #lock}. */
    private boolean over;

    /** Writes {@code answer} unless the exchange is over; false when it was (nothing written). */
    boolean write(Responses.Answer answer, HttpServletResponse response) throws IOException {
        lock.lock();
        try {
            if (over) {
                return false;
            }
            answer.writeTo(response);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The exchange failed: returns once no answer is being written; none is written after. */
    void over() {
        lock.lock();
        try {
            over = true;
        } finally {
            lock.unlock();
        }
    }
}
