package io.asyncreply.it.container;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh PostgreSQL schema on the CI database ({@link JndiDataSource#ciPostgres()}:
 * 127.0.0.1:5432/test as postgres, trust), created with plain JDBC before a container starts and
 * dropped by {@link #close()}. The container's JNDI DataSource points at it through
 * {@code currentSchema} in its URL, so each run starts with empty tables and runs never meet.
 *
 * <p>When PostgreSQL cannot be reached: with the environment variable {@code CI=true} the test
 * fails; elsewhere it is skipped (a JUnit assumption) with a message saying how to run it.
 */
final class FreshSchema implements AutoCloseable {

    private final JndiDataSource server;
    private final String schema;

    private FreshSchema(JndiDataSource server, String schema) {
        this.server = server;
        this.schema = schema;
    }

    static FreshSchema createOrSkip() {
        JndiDataSource server = JndiDataSource.ciPostgres();
        String schema = "asyncreply_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        try (Connection c = connect(server); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String where = server.user() + "@" + server.url();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true requires PostgreSQL for the JNDI container tests, but it is not reachable at "
                        + where + ": " + e.getMessage(), e);
            }
            Assumptions.abort("PostgreSQL not reachable at " + where + " (" + e.getMessage() + "): the JNDI container"
                    + " tests are skipped. Start it (.ci/run does) to run them, or set CI=true to make its absence fail.");
        }
        return new FreshSchema(server, schema);
    }

    String schema() {
        return schema;
    }

    /** {@code java:comp/env/jdbc/tasks} for the container: the CI database, this schema as the current one. */
    JndiDataSource dataSource() {
        String url = server.url() + (server.url().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return new JndiDataSource(server.name(), url, server.user(), server.password());
    }

    /** Drops the schema with its tables. */
    @Override
    public void close() throws SQLException {
        try (Connection c = connect(server); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private static Connection connect(JndiDataSource server) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", server.user());
        if (!server.password().isEmpty()) {
            p.setProperty("password", server.password());
        }
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "30");
        return new org.postgresql.Driver().connect(server.url(), p); // see PostgresSchema.connect
    }
}
