package io.asyncreply.store.jdbc;

import io.asyncreply.store.StoreException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * What {@link JdbcTaskStore.Builder#build()} does before the store exists: detects the database
 * (unless configured), creates or upgrades the tables, and opens the event log and, on PostgreSQL,
 * the change feed.
 */
final class Opening {
    /** The parts of a store that depend on its database. */
    record Opened(Dialect dialect, ChangeFeed feed, EventLog log) {
    }

    private Opening() {
    }

    /** @throws StoreException when the database cannot be reached, is not supported, or cannot be migrated */
    static Opened open(DataSource dataSource, JdbcTaskStore.Database configured, String tablePrefix,
            boolean listenNotify) {
        JdbcTaskStore.Database db = configured != null ? configured : detect(dataSource);
        Dialect dialect = new Dialect(db, tablePrefix);
        Schema.migrate(dataSource, dialect);
        try {
            if (db == JdbcTaskStore.Database.POSTGRESQL) {
                ChangeFeed feed = listenNotify ? PgChangeFeed.create(dataSource, dialect) : ChangeFeed.NONE;
                return new Opened(dialect, feed, new PgEventLog(dialect));
            }
            try (Connection c = dataSource.getConnection()) {
                return new Opened(dialect, ChangeFeed.NONE, H2EventLog.open(c, dialect));
            }
        } catch (SQLException e) {
            throw Sql.failure("could not reach the task database", e);
        }
    }

    private static JdbcTaskStore.Database detect(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            DatabaseMetaData md = c.getMetaData();
            String name = md.getDatabaseProductName();
            int major = md.getDatabaseMajorVersion();
            JdbcTaskStore.Database db = JdbcTaskStore.Database.ofProductName(name).orElseThrow(
                    () -> new StoreException("unsupported database '" + name
                            + "': asyncreply speaks H2 2.x and PostgreSQL 13 or newer"));
            int min = db == JdbcTaskStore.Database.H2 ? 2 : 13;
            if (major < min) {
                throw new StoreException("unsupported " + name + " version " + md.getDatabaseProductVersion()
                        + ": asyncreply needs " + name + " " + min + " or newer");
            }
            return db;
        } catch (SQLException e) {
            throw Sql.failure("could not reach the task database", e);
        }
    }
}
