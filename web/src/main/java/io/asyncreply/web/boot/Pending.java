package io.asyncreply.web.boot;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests suspended while they wait for a task. On undeploy each is answered at once (with the
 * task as it stands) so that no request outlives the application and no container thread waits.
 */
public final class Pending {
    /** Something that can answer a held request now. Must be idempotent. */
    public interface Answer {
        void now();
    }

    private final Set<Answer> held = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Registers {@code a}; false when closing, and then the caller must answer at once. */
    public boolean hold(Answer a) {
        held.add(a);
        if (closed) {
            held.remove(a);
            return false;
        }
        return true;
    }

    public void release(Answer a) {
        held.remove(a);
    }

    public int size() {
        return held.size();
    }

    /** Answers everything held and refuses new holds. */
    public void answerAll() {
        closed = true;
        for (Answer a : held.toArray(new Answer[0])) {
            held.remove(a);
            try {
                a.now();
            } catch (RuntimeException ignored) {
                // the client may be gone; nothing to do
            }
        }
    }
}
