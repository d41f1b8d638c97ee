package io.asyncreply.store.jdbc;

import io.asyncreply.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Creates and upgrades the store's tables. Migrations are plain SQL files on the class path,
 * {@code io/asyncreply/store/jdbc/<database>/V<n>__<description>.sql}, listed in
 * {@link #MIGRATIONS}; the table {@code <prefix>schema_version} records which ones were applied.
 *
 * <p>Concurrency: on PostgreSQL the whole upgrade is one transaction holding an advisory lock
 * ({@link Dialect#lockForMigration}), so nodes starting at once apply each migration exactly once
 * and the others see the result. H2 commits every DDL statement at once, so its scripts are
 * idempotent ({@code IF NOT EXISTS}), upgrades within one JVM are serialized by a lock, and a second
 * process racing on the same file (AUTO_SERVER mode) loses at the version row's primary key and
 * retries.
 *
 * <p>Hazards: a script must not contain a semicolon except at the end of a statement's last line;
 * a database whose recorded version is newer than this code knows is refused rather than used.
 */
final class Schema {
    /** Migration files by version, starting at 1. Append only; never edit a released one. */
    static final List<String> MIGRATIONS = List.of("V1__create_tasks.sql", "V2__create_nodes.sql",
            "V3__engine_v2.sql", "V4__owner_index.sql", "V5__webhooks.sql");
    static final int LATEST = MIGRATIONS.size();

    private static final Object H2_LOCK = new Object();

    private Schema() {
    }

    /** Brings the schema up to {@link #LATEST}. @throws StoreException when it cannot */
    static void migrate(DataSource ds, Dialect dialect) {
        for (int attempt = 1;; attempt++) {
            try {
                if (dialect.database == JdbcTaskStore.Database.H2) {
                    synchronized (H2_LOCK) {
                        migrateOnce(ds, dialect);
                    }
                } else {
                    migrateOnce(ds, dialect);
                }
                return;
            } catch (SQLException e) {
                if (attempt < 3 && Sql.isUniqueViolation(e)) {
                    continue; // another process recorded the same version first: look again
                }
                throw Sql.failure("could not create or upgrade the task tables (" + dialect.tasks + ")", e);
            }
        }
    }

    private static void migrateOnce(DataSource ds, Dialect dialect) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                dialect.lockForMigration(c);
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS " + dialect.versions + " (version INTEGER NOT NULL PRIMARY KEY, "
                            + "description VARCHAR(200) NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
                }
                int current = currentVersion(c, dialect);
                if (current > LATEST) {
                    throw new StoreException("the task tables (" + dialect.tasks + ") have schema version " + current
                            + ", newer than this version of asyncreply knows (" + LATEST + "); upgrade asyncreply");
                }
                for (int v = current + 1; v <= LATEST; v++) {
                    String file = MIGRATIONS.get(v - 1);
                    try (Statement s = c.createStatement()) {
                        for (String sql : statements(script(dialect, file), dialect.prefix)) {
                            s.execute(sql);
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO " + dialect.versions + " (version, description, applied_at) VALUES (?, ?, ?)")) {
                        ps.setInt(1, v);
                        ps.setString(2, file);
                        Sql.setInstant(ps, 3, Instant.now());
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Sql.rollbackQuietly(c);
                throw e;
            } finally {
                Sql.autoCommitQuietly(c);
            }
        }
    }

    static int currentVersion(Connection c, Dialect dialect) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM " + dialect.versions)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String script(Dialect dialect, String file) {
        String path = dialect.scriptFolder() + "/" + file;
        try (InputStream in = Schema.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("migration script missing from the class path: " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration script " + path, e);
        }
    }

    /** The statements of a script: comment lines dropped, split at semicolons ending a line. */
    static List<String> statements(String script, String prefix) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(trimmed, 0, trimmed.length() - 1);
                out.add(current.toString().replace("{prefix}", prefix));
                current.setLength(0);
            } else {
                current.append(trimmed).append('\n');
            }
        }
        if (current.length() > 0) {
            out.add(current.toString().replace("{prefix}", prefix));
        }
        return out;
    }
}
