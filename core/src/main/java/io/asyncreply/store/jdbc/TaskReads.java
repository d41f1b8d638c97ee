package io.asyncreply.store.jdbc;

import io.asyncreply.store.ClaimedTask;
import io.asyncreply.store.FinishedCount;
import io.asyncreply.store.SeqCursor;
import io.asyncreply.store.StoreException;
import io.asyncreply.store.TaskStore;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskPage;
import io.asyncreply.task.TaskQuery;
import io.asyncreply.task.TaskStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * The queries that read tasks, {@code <prefix>tasks}: one task by id or idempotency key, its
 * payload, pages of the list, the counts the engine asks for (queued, oldest queued, finished per
 * minute), and whether the database answers at all. Each read is one statement on a pooled
 * connection given back at once.
 */
final class TaskReads {
    private final DataSource dataSource;
    private final Dialect dialect;

    TaskReads(DataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    Optional<Task> find(String id) {
        return find(id, null);
    }

    Optional<Task> find(String id, String owner) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = byId(c, dialect.find, dialect.findOwned, id, owner)) {
            return task(ps);
        } catch (SQLException e) {
            throw Sql.failure("could not read a task", e);
        }
    }

    Optional<ClaimedTask> findWithPayload(String id, String owner) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = byId(c, dialect.findPayload, dialect.findPayloadOwned, id, owner)) {
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new ClaimedTask(Rows.task(rs), rs.getBytes(Rows.EXTRA_1),
                        rs.getString(Rows.EXTRA_2), null, rs.getString(Rows.EXTRA_3))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw Sql.failure("could not read a task", e);
        }
    }

    Optional<Task> findByKey(String key, String owner) {
        if (key == null) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.findByKey)) {
            ps.setString(1, owner == null ? "" : owner);
            ps.setString(2, key);
            return task(ps);
        } catch (SQLException e) {
            throw Sql.failure("could not look up an idempotency key", e);
        }
    }

    OptionalLong payloadSize(String id, String owner) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = byId(c, dialect.payloadSize, dialect.payloadSizeOwned, id, owner)) {
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return OptionalLong.empty();
                }
                long n = rs.getLong(1);
                return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(n);
            }
        } catch (SQLException e) {
            throw Sql.failure("could not read a task", e);
        }
    }

    /** One grouped range read of the finish-time index; see {@link TaskStore#finishedCounts}. */
    List<FinishedCount> finishedCounts(Instant since) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.finishedCounts)) {
            Sql.setInstant(ps, 1, since);
            List<FinishedCount> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TaskStatus status = TaskStatus.valueOf(rs.getString(2));
                    if (status.isTerminal()) { // always, since only terminal tasks have a finish time
                        out.add(new FinishedCount(rs.getString(1), status, rs.getLong(3), rs.getLong(4)));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw Sql.failure("could not count finished tasks", e);
        }
    }

    TaskPage list(TaskQuery query) {
        Long before = query.cursor() == null ? null : SeqCursor.decode(query.cursor());
        String sql = dialect.list(query.status() != null, query.type() != null, query.owner() != null,
                query.owner() != null && !query.owner().isEmpty(), before != null);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (query.status() != null) {
                ps.setString(i++, query.status().name());
            }
            if (query.type() != null) {
                ps.setString(i++, query.type());
            }
            if (query.owner() != null) {
                ps.setString(i++, query.owner());
            }
            if (before != null) {
                ps.setLong(i++, before);
            }
            ps.setInt(i, query.limit() + 1); // one more tells whether there is a next page
            List<Task> items = new ArrayList<>(Math.min(query.limit(), 64));
            long lastSeq = -1;
            boolean more = false;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (items.size() == query.limit()) {
                        more = true;
                        break;
                    }
                    items.add(Rows.task(rs));
                    lastSeq = Rows.seq(rs);
                }
            }
            return new TaskPage(items, more ? SeqCursor.encode(lastSeq) : null);
        } catch (SQLException e) {
            throw Sql.failure("could not list tasks", e);
        }
    }

    /** Counts queued tasks with one query (a partial-index scan on PostgreSQL). */
    long queued() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(dialect.countQueued)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw Sql.failure("could not count queued tasks", e);
        }
    }

    /** One query: the least of each priority's first entry in the ready index. */
    Optional<Instant> oldestQueuedRunAt() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(dialect.oldestQueuedRunAt)) {
            return rs.next() ? Optional.ofNullable(Sql.getInstant(rs, 1)) : Optional.empty();
        } catch (SQLException e) {
            throw Sql.failure("could not read the oldest queued task", e);
        }
    }

    void ping() {
        try (Connection c = dataSource.getConnection()) {
            if (!c.isValid(5)) {
                throw new StoreException("the task database did not answer within 5 s");
            }
        } catch (SQLException e) {
            throw Sql.failure("the task database is unreachable", e);
        }
    }

    /**
     * A read of task {@code id}: {@code sql} with the id as its one parameter, or for an owner
     * ({@code owner} not null) {@code ownedSql} with the id and the owner. Closed again if a
     * parameter cannot be set.
     */
    private static PreparedStatement byId(Connection c, String sql, String ownedSql, String id, String owner)
            throws SQLException {
        PreparedStatement ps = c.prepareStatement(owner == null ? sql : ownedSql);
        try {
            ps.setString(1, id);
            if (owner != null) {
                ps.setString(2, owner);
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    private static Optional<Task> task(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(Rows.task(rs)) : Optional.empty();
        }
    }
}
