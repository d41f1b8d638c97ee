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
import java.util.Set;

/**
 * Writes the changes of one transaction: each decided snapshot as a compare-and-set UPDATE, the
 * events of those that were applied (ids from the {@link EventLog}), and one announcement to the
 * other nodes, all before the commit. One writer per transaction; not thread-safe.
 *
 * <p>PostgreSQL: one statement per {@link #write} ({@link PgApply}: the UPDATEs, their events and the
 * notification). H2: an UPDATE batch per {@link #write}, then the events of the whole transaction in
 * one batch at {@link #finish}.
 *
 * <p>Order matters: the events are inserted after the UPDATEs, so the rows they are about are
 * locked and the transaction has its transaction id when it takes event ids (see
 * {@link PgEventLog}). {@link #end()} must run after commit or rollback (the store's transaction
 * helper does it), so that an in-process {@link EventLog} learns the ids' transaction ended.
 */
final class ChangeWriter {
    /**
     * A decided change to write: {@code change.after()} if the row still holds {@code before}
     * (status, attempts, cancel request, progress; and its lease expiry when {@code checkLease});
     * with the lease set to ({@code leaseOwner}, {@code leaseUntil}) when {@code setLease}, else left
     * as it is; recorded by {@code node} at {@code at}.
     */
    record Planned(Task before, boolean checkLease, Instant expectedLeaseUntil, Transitions.Change change,
            boolean setLease, String leaseOwner, Instant leaseUntil, String node, Instant at) {

        /** A claim: the new lease is set. */
        static Planned claim(Rows.Leased before, Transitions.Change change, String owner, Instant until, Instant at) {
            return new Planned(before.task(), false, null, change, true, owner, until, owner, at);
        }

        /** A change that keeps the lease while the task runs and drops it when it leaves RUNNING. */
        static Planned keepingLease(Task before, Transitions.Change change, String node, Instant at) {
            boolean leaves = change.after().status() != TaskStatus.RUNNING;
            return new Planned(before, false, null, change, leaves, null, null, node, at);
        }

        /** A recovery: applied only if the lease read is still the row's (a renewal meanwhile wins). */
        static Planned recovering(Rows.Leased before, Transitions.Change change, String node, Instant at) {
            return new Planned(before.task(), true, before.leaseUntil(), change, true, null, null, node, at);
        }

        PgApply.Row toPg() {
            return new PgApply.Row(before, checkLease, expectedLeaseUntil, change.after(), setLease, leaseOwner,
                    leaseUntil, change.event(), node, at);
        }
    }

    private record Pending(TaskEvent.Kind kind, Task task, String node, Instant at) {
    }

    private final Connection c;
    private final Dialect dialect;
    private final EventLog log;
    private final ChangeFeed feed;
    private final PgApply pg;
    private final boolean async;
    private final Outbox outbox;
    private final List<Pending> pending = new ArrayList<>();
    private final List<Long> taken = new ArrayList<>();
    private final List<String> cancels = new ArrayList<>();
    private boolean events;
    private boolean queued;

    /**
     * {@code pg}: the PostgreSQL writer, or null on H2; {@code async}: this transaction may commit
     * without waiting for its WAL flush (claims, see {@link PgApply}).
     */
    ChangeWriter(Connection c, Dialect dialect, EventLog log, ChangeFeed feed, PgApply pg, boolean async) {
        this(c, dialect, log, feed, pg, async, null);
    }

    /** {@code outbox}: where H2 writes the webhook deliveries of terminal events (null: none; see {@link Outbox}). */
    ChangeWriter(Connection c, Dialect dialect, EventLog log, ChangeFeed feed, PgApply pg, boolean async, Outbox outbox) {
        this.c = c;
        this.outbox = outbox;
        this.dialect = dialect;
        this.log = log;
        this.feed = feed;
        this.pg = pg;
        this.async = async;
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
        if (pg != null) {
            writePg(planned, applied);
        } else {
            writeBatch(planned, applied);
        }
        for (int i = 0; i < planned.size(); i++) {
            if (applied[i]) {
                noted(planned.get(i));
            }
        }
        return applied;
    }

    private void writePg(List<Planned> planned, boolean[] applied) throws SQLException {
        List<PgApply.Row> rows = new ArrayList<>(planned.size());
        boolean anyEvent = false;
        boolean due = false;
        for (Planned p : planned) {
            rows.add(p.toPg());
            anyEvent |= p.change().event() != null;
            due |= isDue(p.change().after(), p.at());
        }
        String channel = anyEvent ? feed.eventsChannel() : null;
        Set<String> changed = pg.apply(c, rows, channel, due ? PgChangeFeed.QUEUED : "", async);
        for (int i = 0; i < planned.size(); i++) {
            applied[i] = changed.contains(planned.get(i).before().id());
        }
    }

    private void writeBatch(List<Planned> planned, boolean[] applied) throws SQLException {
        int[] counts;
        try (PreparedStatement ps = c.prepareStatement(dialect.update)) {
            for (Planned p : planned) {
                Rows.bindUpdate(ps, p);
                ps.addBatch();
            }
            counts = ps.executeBatch();
        }
        for (int i = 0; i < planned.size(); i++) {
            applied[i] = counts[i] == 1;
            if (applied[i] && planned.get(i).change().event() != null) {
                Planned p = planned.get(i);
                pending.add(new Pending(p.change().event(), p.change().after(), p.node(), p.at()));
            }
        }
    }

    private void noted(Planned p) {
        Task before = p.change().before();
        Task after = p.change().after();
        if (p.change().event() == null && after.cancelRequested() && !before.cancelRequested()) {
            cancels.add(after.id());
        }
        if (isDue(after, p.at())) {
            queued = true;
        }
    }

    private static boolean isDue(Task t, Instant at) {
        return t.status() == TaskStatus.QUEUED && (t.runAt() == null || !t.runAt().isAfter(at));
    }

    /** Records a {@code kind} event of a task this transaction inserted (H2: inserted at {@link #finish}). */
    void event(TaskEvent.Kind kind, Task task, String node, Instant at) {
        pending.add(new Pending(kind, task, node, at));
    }

    /**
     * This transaction inserted queued tasks (and their events: on PostgreSQL in the insert's own
     * statement, which also notified).
     */
    void queuedInserted() {
        queued = true;
        if (pg == null) {
            events = true;
        }
    }

    /** Inserts the pending events and announces what was not announced yet; call once, last, before the commit. */
    void finish() throws SQLException {
        if (!pending.isEmpty()) {
            long first = log.begin(pending.size());
            taken.add(first);
            List<Outbox.Item> items = new ArrayList<>(pending.size());
            try (PreparedStatement ps = c.prepareStatement(dialect.insertEvent)) {
                for (int i = 0; i < pending.size(); i++) {
                    Pending p = pending.get(i);
                    Rows.bindEvent(ps, p.kind(), p.task(), p.node(), p.at(), first == 0 ? 0 : first + i);
                    ps.addBatch();
                    items.add(new Outbox.Item(p.kind(), p.task(), first + i, p.at()));
                }
                ps.executeBatch();
            }
            // H2 numbers its events (first > 0); on PostgreSQL terminal events are written by PgApply with theirs
            if (outbox != null && first > 0) {
                outbox.writeH2(c, items); // the webhook deliveries, in this transaction
            }
            events = true;
            pending.clear();
        }
        // PostgreSQL announced the events of its writes and inserts in their own statements
        if (pg == null ? events || queued || !cancels.isEmpty() : !cancels.isEmpty()) {
            feed.announce(c, pg == null && events, pg == null && queued, cancels);
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
