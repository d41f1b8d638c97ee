package io.asyncreply.store.jdbc;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.task.TaskStatus;
import io.asyncreply.task.Transitions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the changes of one transaction: each decided snapshot as a compare-and-set UPDATE (one
 * JDBC batch), then the events of those that were applied (one batch, ids from the
 * {@link EventLog}), then one announcement to the other nodes, all before the commit. One writer
 * per transaction; not thread-safe.
 *
 * <p>Order matters: the events are inserted after the UPDATEs, so the rows they are about are
 * locked and the transaction has its transaction id when it takes event ids (see
 * {@link PgEventLog}). {@link #end()} must run after commit or rollback (the store's transaction
 * helper does it), so that an in-process {@link EventLog} learns the ids' transaction ended.
 */
final class ChangeWriter {
    /**
     * A decided change to write: {@code change.after()} with lease ({@code leaseOwner},
     * {@code leaseUntil}) if the row still holds {@code before}; recorded by {@code node} at {@code at}.
     */
    record Planned(Rows.Leased before, Transitions.Change change, String leaseOwner, Instant leaseUntil, String node,
            Instant at) {
        /** A change that keeps the lease as it is while the task runs, and drops it otherwise. */
        static Planned keepingLease(Rows.Leased before, Transitions.Change change, String node, Instant at) {
            boolean running = change.after().status() == TaskStatus.RUNNING;
            return new Planned(before, change, running ? before.leaseOwner() : null,
                    running ? before.leaseUntil() : null, node, at);
        }
    }

    private record Pending(TaskEvent.Kind kind, Task task, String node, Instant at) {
    }

    private final Connection c;
    private final Dialect dialect;
    private final EventLog log;
    private final List<Pending> pending = new ArrayList<>();
    private final List<Long> taken = new ArrayList<>();
    private final List<String> cancels = new ArrayList<>();
    private boolean events;
    private boolean queued;

    ChangeWriter(Connection c, Dialect dialect, EventLog log) {
        this.c = c;
        this.dialect = dialect;
        this.log = log;
    }

    Connection connection() {
        return c;
    }

    /** Writes each change as a compare-and-set; returns which were applied (the others found the row changed). */
    boolean[] write(List<Planned> planned) throws SQLException {
        boolean[] applied = new boolean[planned.size()];
        if (planned.isEmpty()) {
            return applied;
        }
        int[] counts;
        try (PreparedStatement ps = c.prepareStatement(dialect.update)) {
            for (Planned p : planned) {
                Rows.bindUpdate(ps, p.before().task(), p.before().leaseUntil(), p.change().after(), p.leaseOwner(),
                        p.leaseUntil());
                ps.addBatch();
            }
            counts = ps.executeBatch();
        }
        for (int i = 0; i < planned.size(); i++) {
            applied[i] = counts[i] == 1;
            if (applied[i]) {
                recorded(planned.get(i));
            }
        }
        return applied;
    }

    private void recorded(Planned p) {
        Task before = p.change().before();
        Task after = p.change().after();
        if (p.change().event() != null) {
            pending.add(new Pending(p.change().event(), after, p.node(), p.at()));
        } else if (after.cancelRequested() && !before.cancelRequested()) {
            cancels.add(after.id());
        }
        if (after.status() == TaskStatus.QUEUED && (after.runAt() == null || !after.runAt().isAfter(p.at()))) {
            queued = true;
        }
    }

    /** Records a {@code kind} event of a task this transaction inserted or changed. */
    void event(TaskEvent.Kind kind, Task task, String node, Instant at) {
        pending.add(new Pending(kind, task, node, at));
        if (kind == TaskEvent.Kind.QUEUED) {
            queued = true;
        }
    }

    /** Inserts the pending events and announces; call once, last, before the commit. */
    void finish(ChangeFeed feed) throws SQLException {
        if (!pending.isEmpty()) {
            long first = log.begin(pending.size());
            taken.add(first);
            try (PreparedStatement ps = c.prepareStatement(dialect.insertEvent)) {
                for (int i = 0; i < pending.size(); i++) {
                    Pending p = pending.get(i);
                    Rows.bindEvent(ps, p.kind(), p.task(), p.node(), p.at(), first == 0 ? 0 : first + i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            events = true;
            pending.clear();
        }
        if (events || queued || !cancels.isEmpty()) {
            feed.announce(c, events, queued, cancels);
        }
    }

    /** After commit or rollback: releases the event ids taken. */
    void end() {
        for (long first : taken) {
            log.end(first);
        }
        taken.clear();
    }
}
