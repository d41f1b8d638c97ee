package io.asyncreply.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGConnectionPoolDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * PostgreSQL for tests: a fresh schema per test class, pooled, dropped by {@link #close()}.
 *
 * <p>The server is {@value #DEFAULT_URL} unless the system property {@value #URL_PROPERTY} says
 * otherwise. When it cannot be reached: with the environment variable {@code CI=true} the test
 * fails; elsewhere it is skipped (JUnit assumption) with a message saying how to enable it.
 */
final class TestPostgres implements AutoCloseable {
    static final String URL_PROPERTY = "asyncreply.test.postgres.url";
    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private final String url;
    private final String schema;
    private final JdbcConnectionPool pool;

    private TestPostgres(String url, String schema, JdbcConnectionPool pool) {
        this.url = url;
        this.schema = schema;
        this.pool = pool;
    }

    static String url() {
        return System.getProperty(URL_PROPERTY, DEFAULT_URL);
    }

    /** Creates a fresh schema and a pool of connections whose current schema it is. */
    static TestPostgres freshSchema() {
        String url = url();
        String schema = "asyncreply_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        try (Connection c = plain(url).getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String message = "PostgreSQL not reachable at " + url + " (" + e.getMessage() + "); start it (.ci/run "
                    + "starts it) or set CI=true to make this fail";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true requires PostgreSQL, but it is not reachable at " + url, e);
            }
            Assumptions.abort(message);
        }
        PGConnectionPoolDataSource pooled = new PGConnectionPoolDataSource();
        pooled.setURL(url);
        pooled.setCurrentSchema(schema);
        pooled.setConnectTimeout(5);
        JdbcConnectionPool pool = JdbcConnectionPool.create(pooled);
        pool.setMaxConnections(16);
        return new TestPostgres(url, schema, pool);
    }

    private static PGSimpleDataSource plain(String url) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        ds.setConnectTimeout(5);
        return ds;
    }

    DataSource dataSource() {
        return pool;
    }

    String schema() {
        return schema;
    }

    @Override
    public void close() throws SQLException {
        pool.dispose();
        try (Connection c = plain(url).getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
