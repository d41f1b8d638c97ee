package io.asyncreply.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The application's {@link DataSource}, handing out its connections in auto-commit whatever the
 * pool's default.
 *
 * <p>Why: the store runs most writes as one statement that is its own transaction (a PostgreSQL
 * claim, a batch of outcomes, a heartbeat, a lease renewal) and opens a transaction itself, turning
 * auto-commit off and back on, only where it needs one. A pool set to hand out connections with
 * auto-commit off (Tomcat's {@code defaultAutoCommit="false"}, HikariCP's {@code autoCommit=false})
 * would leave those statements in a transaction that nobody commits, rolled back when the
 * connection goes back to the pool: claims and outcomes lost without an error.
 */
final class AutoCommitDataSource extends DelegatingDataSource {
    AutoCommitDataSource(DataSource delegate) {
        super(delegate);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return autoCommit(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return autoCommit(delegate.getConnection(user, password));
    }

    private static Connection autoCommit(Connection c) throws SQLException {
        try {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true); // a fresh connection has no transaction open: nothing is committed
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }
}
