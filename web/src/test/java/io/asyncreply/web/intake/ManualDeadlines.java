package io.asyncreply.web.intake;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** Deadlines that pass when the test says so. */
final class ManualDeadlines implements Deadlines {
    record Scheduled(Duration delay, Runnable action, AtomicBoolean cancelled) {
    }

    final List<Scheduled> scheduled = new CopyOnWriteArrayList<>();

    @Override
    public Deadline after(Duration delay, Runnable action) {
        Scheduled s = new Scheduled(delay, action, new AtomicBoolean());
        scheduled.add(s);
        return () -> s.cancelled().set(true);
    }

    /** Runs every deadline not cancelled, once. */
    void passAll() {
        for (Scheduled s : scheduled) {
            scheduled.remove(s);
            if (!s.cancelled().get()) {
                s.action().run();
            }
        }
    }

    long live() {
        return scheduled.stream().filter(s -> !s.cancelled().get()).count();
    }

    @Override
    public void close() {
        scheduled.clear();
    }
}
