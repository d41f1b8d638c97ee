package io.asyncreply.store.jdbc;

import io.asyncreply.store.EventCursor;
import io.asyncreply.store.EventPage;
import io.asyncreply.task.TaskEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Reads of the event log, {@code <prefix>events}: the global log from a cursor (through the
 * database's {@link EventLog}, which knows how its ids become visible), and one task's events.
 * Each read takes a pooled connection and gives it back; nothing here writes.
 */
final class EventReads {
    private final DataSource dataSource;
    private final Dialect dialect;
    private final EventLog log;

    EventReads(DataSource dataSource, Dialect dialect, EventLog log) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.log = log;
    }

    EventCursor eventHead() {
        try (Connection c = dataSource.getConnection()) {
            return log.head(c);
        } catch (SQLException e) {
            throw Sql.failure("could not read the event log", e);
        }
    }

    EventPage readEvents(EventCursor cursor, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        try (Connection c = dataSource.getConnection()) {
            return log.read(c, cursor, limit);
        } catch (SQLException e) {
            throw Sql.failure("could not read the event log", e);
        }
    }

    /** The events of task {@code taskId} of {@code owner} ({@code null}: anyone's) after {@code afterId}. */
    List<TaskEvent> taskEvents(String taskId, long afterId, int limit, String owner) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(owner == null ? dialect.taskEvents : dialect.taskEventsOwned)) {
            int i = 1;
            ps.setString(i++, taskId);
            if (owner != null) {
                ps.setString(i++, owner);
            }
            ps.setLong(i++, afterId);
            ps.setInt(i, limit);
            List<TaskEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Rows.event(rs, 1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw Sql.failure("could not read the events of a task", e);
        }
    }
}
