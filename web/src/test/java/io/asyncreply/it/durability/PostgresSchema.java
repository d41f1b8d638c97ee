package io.asyncreply.it.durability;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh PostgreSQL schema for one test, dropped by {@link #close()}; the web module's equivalent
 * of core's TestPostgres (test classes of core are not visible here).
 *
 * <p>The server is 127.0.0.1:5432, user {@code postgres}, database {@code test} (trust auth), unless
 * {@code -Dasyncreply.test.postgres.host}, {@code .port}, {@code .database} or {@code .user} say
 * otherwise. When it cannot be reached: with the environment variable {@code CI=true} the test
 * fails; elsewhere it is skipped (a JUnit assumption) with a message saying how to enable it.
 */
final class PostgresSchema implements AutoCloseable {
    static final String HOST = System.getProperty("asyncreply.test.postgres.host", "127.0.0.1");
    static final int PORT = Integer.getInteger("asyncreply.test.postgres.port", 5432);
    static final String DATABASE = System.getProperty("asyncreply.test.postgres.database", "test");
    static final String USER = System.getProperty("asyncreply.test.postgres.user", "postgres");

    private final String schema;

    private PostgresSchema(String schema) {
        this.schema = schema;
    }

    /** Creates a schema with a random name, or skips (fails with CI=true) when PostgreSQL is unreachable. */
    static PostgresSchema create() {
        String schema = "asyncreply_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String where = USER + "@" + HOST + ":" + PORT + "/" + DATABASE;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true requires PostgreSQL, but it is not reachable at " + where + ": "
                        + e.getMessage(), e);
            }
            Assumptions.abort("PostgreSQL not reachable at " + where + " (" + e.getMessage() + "); skipped. Start "
                    + "it (.ci/run starts it) to run this test, or set CI=true to make its absence fail.");
        }
        return new PostgresSchema(schema);
    }

    String schema() {
        return schema;
    }

    /** The JDBC URL of this schema on the real server. */
    String jdbcUrl() {
        return jdbcUrl(HOST, PORT);
    }

    /** The JDBC URL of this schema through {@code host:port} (a proxy in front of the server). */
    String jdbcUrl(String host, int port) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + DATABASE + "?currentSchema=" + schema;
    }

    String user() {
        return USER;
    }

    /** A plain connection to the real server (not through any proxy), current schema this one. */
    Connection connection() throws SQLException {
        Connection c = connect();
        c.setSchema(schema);
        return c;
    }

    private static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "30");
        DriverManager.getDrivers(); // initialises DriverManager before a deployment, as DatabaseOutageIT wants
        // Not DriverManager.getConnection: if an embedded WAR in this JVM was the first to touch
        // DriverManager, it registered the WAR's own copy of the driver, which DriverManager then
        // refuses to hand to this class loader ("No suitable driver").
        return new org.postgresql.Driver().connect("jdbc:postgresql://" + HOST + ":" + PORT + "/" + DATABASE, p);
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
