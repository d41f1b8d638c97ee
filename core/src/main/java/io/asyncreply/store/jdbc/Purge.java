package io.asyncreply.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The retention purge: deletes terminal tasks that finished before a cutoff, then those beyond the
 * newest {@code keepAtMost}, with their events, a chunk per transaction (see docs/store-jdbc.md).
 */
final class Purge {
    private final DataSource dataSource;
    private final Dialect dialect;
    private final Transactions tx;
    private final int chunk;

    Purge(DataSource dataSource, Dialect dialect, Transactions tx, int chunk) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.tx = tx;
        this.chunk = chunk;
    }

    int purge(Instant cutoff, long keepAtMost) {
        if (keepAtMost < 0) {
            throw new IllegalArgumentException("keepAtMost must not be negative");
        }
        int[] deleted = new int[1];
        try {
            while (deleteChunk(dialect.purgeBefore, ps -> {
                Sql.setInstant(ps, 1, cutoff);
                ps.setInt(2, chunk);
            }, deleted)) {
                // one chunk per transaction
            }
            Instant boundaryAt = null;
            long boundarySeq = 0;
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement(dialect.purgeBoundary)) {
                ps.setLong(1, keepAtMost);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        boundaryAt = Sql.getInstant(rs, 1);
                        boundarySeq = rs.getLong(2);
                    }
                }
            }
            if (boundaryAt == null) {
                return deleted[0]; // no more than keepAtMost finished tasks
            }
            Instant at = boundaryAt;
            long seq = boundarySeq;
            while (deleteChunk(dialect.purgeUpTo, ps -> {
                Sql.setInstant(ps, 1, at);
                Sql.setInstant(ps, 2, at);
                ps.setLong(3, seq);
                ps.setInt(4, chunk);
            }, deleted)) {
                // one chunk per transaction
            }
            return deleted[0];
        } catch (SQLException e) {
            if (deleted[0] > 0) {
                return deleted[0]; // committed chunk by chunk; the next run goes on
            }
            throw Sql.failure("could not purge finished tasks", e);
        }
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /**
     * Picks up to a chunk of terminal tasks with {@code select}, then deletes their events and them,
     * in one transaction; adds the tasks deleted to {@code deleted[0]}. Returns whether a whole
     * chunk was picked (there may be more).
     */
    private boolean deleteChunk(String select, Binder binder, int[] deleted) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<String> ids = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(select)) {
                    binder.bind(ps);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getString(1));
                        }
                    }
                }
                int n = 0;
                if (!ids.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(dialect.deleteEvents)) {
                        ps.setArray(1, tx.ids(c, ids));
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps = c.prepareStatement(dialect.deleteTasks)) {
                        ps.setArray(1, tx.ids(c, ids));
                        n = ps.executeUpdate();
                    }
                }
                c.commit();
                deleted[0] += n;
                return ids.size() >= chunk;
            } catch (SQLException | RuntimeException e) {
                Sql.rollbackQuietly(c);
                throw e;
            } finally {
                Sql.autoCommitQuietly(c);
            }
        }
    }

}
