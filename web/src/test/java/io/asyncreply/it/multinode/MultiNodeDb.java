package io.asyncreply.it.multinode;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh PostgreSQL schema shared by the nodes of one test class, dropped by {@link #close()}.
 * The server is 127.0.0.1:5432, database {@code test}, user {@code postgres} (trust auth), unless
 * {@code -Dasyncreply.test.postgres.host}, {@code .port}, {@code .database} or {@code .user} say
 * otherwise. Unreachable: with the environment variable {@code CI=true} the test fails, elsewhere
 * it is skipped with a message saying so.
 */
final class MultiNodeDb implements AutoCloseable {
    private static final String HOST = System.getProperty("asyncreply.test.postgres.host", "127.0.0.1");
    private static final int PORT = Integer.getInteger("asyncreply.test.postgres.port", 5432);
    private static final String DATABASE = System.getProperty("asyncreply.test.postgres.database", "test");
    private static final String USER = System.getProperty("asyncreply.test.postgres.user", "postgres");

    private final String schema;

    private MultiNodeDb(String schema) {
        this.schema = schema;
    }

    static MultiNodeDb create(String... ddl) {
        String schema = "asyncreply_mn_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        try (Connection c = connect(baseUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            s.execute("SET search_path TO " + schema);
            for (String sql : ddl) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            String where = USER + "@" + HOST + ":" + PORT + "/" + DATABASE;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true requires PostgreSQL, but it is not reachable at " + where + ": "
                        + e.getMessage(), e);
            }
            Assumptions.abort("PostgreSQL not reachable at " + where + " (" + e.getMessage() + "): the multi-node "
                    + "tests are skipped. Start PostgreSQL to run them, or set CI=true to make its absence fail.");
        }
        return new MultiNodeDb(schema);
    }

    private static String baseUrl() {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + DATABASE + "?user=" + USER + "&connectTimeout=5";
    }

    /** The URL the nodes use: this schema, the user in the URL (no password: trust auth). */
    String url() {
        return baseUrl() + "&currentSchema=" + schema;
    }

    Connection connect() throws SQLException {
        return connect(url());
    }

    /** Through the driver, not DriverManager: see PostgresSchema.connect. */
    private static Connection connect(String url) throws SQLException {
        return new org.postgresql.Driver().connect(url, new Properties());
    }

    String schema() {
        return schema;
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = connect(baseUrl()); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
