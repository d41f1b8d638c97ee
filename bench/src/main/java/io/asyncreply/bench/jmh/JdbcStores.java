package io.asyncreply.bench.jmh;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.asyncreply.store.TaskStore;
import io.asyncreply.store.jdbc.JdbcTaskStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * {@link JdbcTaskStore} on H2 or PostgreSQL behind a HikariCP pool of 10, as the WAR opens it:
 * H2 as an embedded file database in a temporary folder (deleted at the end), PostgreSQL in the
 * schema {@value #PG_SCHEMA}, dropped and created again at the start of each trial.
 */
final class JdbcStores {
    static final String PG_SCHEMA = "asyncreply_jmh";
    static final String PG_URL = System.getProperty("bench.pg.url",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    private JdbcStores() {
    }

    static BenchStores.Opened open(String kind) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("bench-" + kind);
        hc.setMaximumPoolSize(10);
        Path dir = null;
        if (kind.equals("h2")) {
            try {
                dir = Files.createTempDirectory("asyncreply-jmh-h2");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
            h2.setURL("jdbc:h2:file:" + dir.resolve("tasks") + ";FILE_LOCK=FS;DB_CLOSE_ON_EXIT=FALSE");
            hc.setDataSource(h2);
        } else {
            hc.setJdbcUrl(PG_URL);
            HikariDataSource admin = new HikariDataSource(hc);
            try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + PG_SCHEMA + " CASCADE");
                s.execute("CREATE SCHEMA " + PG_SCHEMA);
            } catch (SQLException e) {
                throw new IllegalStateException("PostgreSQL at " + PG_URL + ": " + e.getMessage(), e);
            } finally {
                admin.close();
            }
            hc = new HikariConfig();
            hc.setPoolName("bench-" + kind);
            hc.setMaximumPoolSize(10);
            hc.setJdbcUrl(PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + PG_SCHEMA);
        }
        HikariDataSource pool = new HikariDataSource(hc);
        JdbcTaskStore store = JdbcTaskStore.builder(pool).build();
        Path tempDir = dir;
        return new BenchStores.Opened() {
            @Override
            public TaskStore store() {
                return store;
            }

            @Override
            public void truncate() {
                try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                    s.execute("DELETE FROM " + store.tasksTable());
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void close() {
                store.close();
                pool.close();
                if (tempDir != null) {
                    try (Stream<Path> files = Files.walk(tempDir)) {
                        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    } catch (IOException ignored) {
                        // a temporary folder
                    }
                }
            }
        };
    }
}
