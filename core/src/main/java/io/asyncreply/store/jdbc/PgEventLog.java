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
 * visible id was taken; so it is below the {@code xmax} of the snapshot in which the gap was first
 * seen. Once a later snapshot's {@code xmin} is at least that {@code xmax}, every transaction below
 * it has ended: an id still missing then was rolled back (or skipped by the sequence after a crash)
 * and never comes. The cursor carries the gap and its {@code xmax} ({@link Gap}) between reads.
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
     * missing in a snapshot whose xmax was {@code xmax}.
     */
    record Gap(long below, long xmax) {
    }

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
        try (PreparedStatement ps = c.prepareStatement(dialect.readEvents)) {
            ps.setLong(1, position);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long xmin = rs.getLong(1);
                    long xmax = rs.getLong(2);
                    rs.getLong(3);
                    if (rs.wasNull()) {
                        break; // no events after the cursor: the LEFT JOIN's empty row
                    }
                    long seq = rs.getLong(3);
                    if (seq != position + 1) { // a gap: ids position + 1 .. seq - 1 are not visible
                        long gapXmax = gap != null && position + 1 < gap.below() ? gap.xmax() : xmax;
                        if (xmin < gapXmax) {
                            gap = new Gap(seq, gapXmax); // wait until the transactions that may fill it ended
                            pending = true;
                            break;
                        }
                        // every transaction that could have taken those ids has ended: they never come
                    }
                    out.add(Rows.event(rs, 3));
                    position = seq;
                    if (gap != null && position >= gap.below()) {
                        gap = null;
                    }
                }
            }
        }
        return new EventPage(out, EventCursor.of(position, gap), pending, 0);
    }
}
