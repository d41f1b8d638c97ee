package io.asyncreply.bench.peers;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Where a system keeps its tasks during one phase of a run, made afresh for every phase:
 * <ul>
 *   <li>{@code pg}: the PostgreSQL at {@code peers.pg.url}, in a schema of the system's own
 *       ({@code peers_<system>}), dropped and created before the phase; a HikariCP pool of
 *       {@link #POOL_SIZE} whose connections carry the application name {@code peers-<system>},
 *       so that {@link #ownBackendPids()} can find the server processes that serve this pool;</li>
 *   <li>{@code h2}: an embedded H2 file database in a fresh folder under {@code peers.work},
 *       behind the same pool, deleted after the phase;</li>
 *   <li>{@code memory}: nothing (asyncreply's memory store).</li>
 * </ul>
 * The pool is the same for every system: size {@value #POOL_SIZE}, HikariCP's defaults otherwise,
 * and on PostgreSQL {@code reWriteBatchedInserts=true}, which the product's WAR also sets (it turns
 * a JDBC batch of INSERTs into multi-row INSERTs: asyncreply's group commit and db-scheduler's
 * {@code scheduleBatch} both send one).
 */
final class Backend implements AutoCloseable {
    static final int POOL_SIZE = 10;

    private final String kind;
    private final String schema;
    private final String appName;
    private final String adminUrl;
    private final HikariDataSource pool;
    private final Path h2Dir;

    private Backend(String kind, String schema, String appName, String adminUrl, HikariDataSource pool, Path h2Dir) {
        this.kind = kind;
        this.schema = schema;
        this.appName = appName;
        this.adminUrl = adminUrl;
        this.pool = pool;
        this.h2Dir = h2Dir;
    }

    /** Opens a fresh backend of {@code kind} (pg, h2, memory) for {@code system}. */
    static Backend open(String kind, String system, String pgUrl, Path work) {
        String id = system.replaceAll("[^A-Za-z0-9]", "_").toLowerCase(java.util.Locale.ROOT);
        switch (kind) {
            case "memory":
                return new Backend(kind, null, null, null, null, null);
            case "h2": {
                Path dir;
                try {
                    Files.createDirectories(work);
                    dir = Files.createTempDirectory(work, "h2-" + id + "-");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
                h2.setURL("jdbc:h2:file:" + dir.resolve("tasks") + ";FILE_LOCK=FS;DB_CLOSE_ON_EXIT=FALSE");
                HikariConfig hc = config("peers-" + id);
                hc.setDataSource(h2);
                return new Backend(kind, null, null, null, new HikariDataSource(hc), dir);
            }
            case "pg": {
                String schema = "peers_" + id;
                try (Connection c = DriverManager.getConnection(pgUrl); Statement s = c.createStatement()) {
                    s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                    s.execute("CREATE SCHEMA " + schema);
                } catch (SQLException e) {
                    throw new IllegalStateException("PostgreSQL at " + pgUrl + ": " + e.getMessage(), e);
                }
                String appName = "peers-" + id;
                HikariConfig hc = config(appName);
                String sep = pgUrl.contains("?") ? "&" : "?";
                hc.setJdbcUrl(pgUrl + sep + "currentSchema=" + schema + "&ApplicationName=" + appName
                        + "&reWriteBatchedInserts=true");
                return new Backend(kind, schema, appName, pgUrl, new HikariDataSource(hc), null);
            }
            default:
                throw new IllegalArgumentException("unknown backend " + kind);
        }
    }

    private static HikariConfig config(String name) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(name);
        hc.setMaximumPoolSize(POOL_SIZE);
        return hc;
    }

    String kind() {
        return kind;
    }

    /** The pool; null for {@code memory}. */
    DataSource dataSource() {
        return pool;
    }

    /** Runs SQL statements in the system's schema (its DDL), in one connection. */
    void execute(List<String> statements) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /**
     * The process ids of the PostgreSQL backends serving this pool (by application name), read
     * with a connection of its own; empty when not on PostgreSQL.
     */
    List<Integer> ownBackendPids() {
        List<Integer> pids = new ArrayList<>();
        if (appName == null) {
            return pids;
        }
        try (Connection c = DriverManager.getConnection(adminUrl);
                PreparedStatement ps = c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, appName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("pg_stat_activity: " + e.getMessage(), e);
        }
        return pids;
    }

    /** PostgreSQL's version and the settings that bear on these figures (for the record). */
    static Map<String, String> pgSettings(String pgUrl) {
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(pgUrl); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW server_version")) {
                rs.next();
                out.put("postgresql", rs.getString(1));
            }
            for (String name : List.of("fsync", "synchronous_commit", "wal_level", "shared_buffers", "max_connections",
                    "autovacuum", "max_wal_size", "checkpoint_timeout")) {
                try (ResultSet rs = s.executeQuery("SHOW " + name)) {
                    rs.next();
                    out.put("pg." + name, rs.getString(1));
                }
            }
        } catch (SQLException e) {
            out.put("postgresql", "unreachable: " + e.getMessage());
        }
        return out;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (SQLException e) {
                System.err.println("could not drop schema " + schema + ": " + e.getMessage());
            }
        }
        if (h2Dir != null) {
            try (Stream<Path> files = Files.walk(h2Dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not delete " + h2Dir + ": " + e.getMessage());
            }
        }
    }
}
