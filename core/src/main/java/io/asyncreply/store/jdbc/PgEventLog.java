package io.asyncreply.store.jdbc;

import io.asyncreply.store.EventCursor;
import io.asyncreply.store.EventPage;
import io.asyncreply.task.TaskEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The event log on PostgreSQL, shared by every node: ids come from the table's identity sequence,
 * taken when a transaction inserts an event, which is always after the same transaction changed
 * (and so locked) the task's row and was given a transaction id.
 *
 * <p>The race this class exists for: transaction A takes id 100, transaction B takes id 101 and
 * commits first. A reader that saw 101 and moved its cursor past it would never see 100. So a
 * reader hands events out strictly in id order, and at the first missing id (a <em>gap</em>) it
 * stops until it knows the gap is final. It knows that from transaction ids: the transaction that
 * took a missing id had its transaction id before it took the id, and took it before the later,
 * visible id was taken, before the read that saw the gap. So it is below any transaction id
 * assigned after that read: the reader takes one ({@code pg_current_xact_id()}, a transaction that
 * writes nothing and commits without waiting for its WAL flush) as the gap's bound. Once a later
 * snapshot's {@code xmin} is at least that bound, every transaction below it has ended: an id still
 * missing then was rolled back (or skipped by the sequence after a crash) and never comes. The
 * cursor carries the gap and its bound ({@link Gap}) between reads.
 *
 * <p>Why not the snapshot's {@code xmax} as the bound, which costs nothing: it is one past the newest
 * <em>completed</em> transaction, not the next to be assigned. A running transaction newer than
 * every completed one is at or above it and not among the snapshot's in-progress ids, and the
 * snapshot's {@code xmin} can equal its id: such a rule took its event for rolled back while it ran
 * and lost it (seen under load; {@code PgEventLogTest} builds the case).
 *
 * <p>Per task no wait is needed: the row lock orders a task's changes, and each takes its id after
 * the previous change of that task committed.
 *
 * <p>Hazard: a long transaction anywhere in the PostgreSQL cluster that holds a transaction id
 * (any write) keeps {@code xmin} back and delays events that follow a gap until it ends; events
 * without a gap before them are not delayed. Gaps are rare: a rolled-back write, or a crash.
 */
final class PgEventLog implements EventLog {
    private final Dialect dialect;

    PgEventLog(Dialect dialect) {
        this.dialect = dialect;
    }

    /**
     * A gap the cursor waits on: ids from the cursor's position + 1 up to {@code below} - 1 were
     * missing in a read, and {@code bound} is a transaction id assigned after that read.
     */
    record Gap(long below, long bound) {
    }

    /** Assigns a transaction id now and returns it; its transaction commits at once (async). */
    private static final String BOUND = "SELECT set_config('synchronous_commit', 'off', true), "
            + "CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT)";

    @Override
    public long begin(int n) {
        return 0; // the sequence numbers them
    }

    @Override
    public void end(long first) {
        // nothing to release
    }

    /**
     * After the newest visible event. Events of transactions still running with lower ids are not
     * read by this cursor: they are as old as the moment of asking, and a reader that starts "now"
     * may take them as earlier.
     */
    @Override
    public EventCursor head(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(dialect.maxEventSeq)) {
            rs.next();
            return EventCursor.after(rs.getLong(1));
        }
    }

    @Override
    public EventPage read(Connection c, EventCursor cursor, int limit) throws SQLException {
        long position = cursor.position();
        Gap gap = cursor.storeState() instanceof Gap g ? g : null;
        List<TaskEvent> out = new ArrayList<>(Math.min(limit, 256));
        boolean pending = false;
        boolean newGap = false;
        try (PreparedStatement ps = c.prepareStatement(dialect.readEvents)) {
            ps.setLong(1, position);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long xmin = rs.getLong(1);
                    rs.getLong(2);
                    if (rs.wasNull()) {
                        break; // no events after the cursor: the LEFT JOIN's empty row
                    }
                    long seq = rs.getLong(2);
                    if (seq != position + 1) { // a gap: ids position + 1 .. seq - 1 are not visible
                        if (gap == null || position + 1 >= gap.below()) {
                            newGap = true; // bound it (below), then wait
                            gap = new Gap(seq, 0);
                            pending = true;
                            break;
                        }
                        if (xmin < gap.bound()) {
                            gap = new Gap(seq, gap.bound()); // the transactions that may fill it still run
                            pending = true;
                            break;
                        }
                        // every transaction that could have taken those ids has ended: they never come
                    }
                    out.add(Rows.event(rs, 2));
                    position = seq;
                    if (gap != null && position >= gap.below()) {
                        gap = null;
                    }
                }
            }
        }
        if (newGap) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(BOUND)) {
                rs.next();
                gap = new Gap(gap.below(), rs.getLong(2));
            }
        }
        return new EventPage(out, EventCursor.of(position, gap), pending, 0);
    }
}
