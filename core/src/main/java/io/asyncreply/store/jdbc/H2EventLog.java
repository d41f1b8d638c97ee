package io.asyncreply.store.jdbc;

import io.asyncreply.store.EventCursor;
import io.asyncreply.store.EventPage;
import io.asyncreply.store.LocalSequencer;
import io.asyncreply.task.TaskEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event log on H2. H2 is embedded (one process owns the database file), so the store numbers
 * events itself with a {@link LocalSequencer} started from the highest id in the table, and reads
 * only up to its horizon: every id below it belongs to a transaction that has ended.
 *
 * <p>Several stores on one database in this process (a redeployed application, tests) share one
 * sequencer, found by the database's URL and the table prefix; otherwise they would hand out the
 * same ids.
 */
final class H2EventLog implements EventLog {
    private final Dialect dialect;
    private final LocalSequencer ids;

    private static final Map<String, LocalSequencer> SEQUENCERS = new ConcurrentHashMap<>();

    private H2EventLog(Dialect dialect, LocalSequencer ids) {
        this.dialect = dialect;
        this.ids = ids;
    }

    static H2EventLog open(Connection c, Dialect dialect) throws SQLException {
        long max;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(dialect.maxEventSeq)) {
            rs.next();
            max = rs.getLong(1);
        }
        String key = c.getMetaData().getURL() + '|' + c.getSchema() + '|' + dialect.prefix;
        LocalSequencer ids = SEQUENCERS.computeIfAbsent(key, k -> new LocalSequencer(max));
        ids.advanceTo(max);
        return new H2EventLog(dialect, ids);
    }

    @Override
    public long begin(int n) {
        return ids.begin(n);
    }

    @Override
    public void end(long first) {
        ids.end(first);
    }

    @Override
    public EventCursor head(Connection c) {
        return EventCursor.after(ids.horizon());
    }

    @Override
    public EventPage read(Connection c, EventCursor cursor, int limit) throws SQLException {
        long horizon = ids.horizon();
        long last = cursor.position();
        List<TaskEvent> out = new ArrayList<>(Math.min(limit, 256));
        if (horizon > last) {
            try (PreparedStatement ps = c.prepareStatement(dialect.readEvents)) {
                ps.setLong(1, last);
                ps.setLong(2, horizon);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        TaskEvent e = Rows.event(rs, 1);
                        out.add(e);
                        last = e.id();
                    }
                }
            }
            if (out.size() < limit) {
                last = horizon; // ids up to the horizon without an event are dead (rolled back)
            }
        }
        return new EventPage(out, EventCursor.after(last), ids.last() > horizon, 0);
    }
}
