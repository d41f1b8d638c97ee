package io.asyncreply.store.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * A DataSource that fails on command: refuses connections, or makes COMMIT throw (without
 * committing). COMMIT is also the implicit one of a statement run in auto-commit that inserts
 * (the store writes some batches as one such statement): it then throws before it runs.
 */
final class FaultyDataSource extends DelegatingDataSource {
    volatile SQLException onConnect;
    volatile SQLException onCommit;

    FaultyDataSource(DataSource delegate) {
        super(delegate);
    }

    @Override
    public Connection getConnection() throws SQLException {
        SQLException e = onConnect;
        if (e != null) {
            throw e;
        }
        Connection real = delegate.getConnection();
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit")) {
                        SQLException c = onCommit;
                        if (c != null) {
                            throw c;
                        }
                    }
                    Object r = invoke(real, method, args);
                    if (r instanceof PreparedStatement ps && real.getAutoCommit()
                            && ((String) args[0]).contains("INSERT INTO")) {
                        return failingOnCommit(ps);
                    }
                    return r;
                });
    }

    /** {@code ps}, whose runs in auto-commit throw {@link #onCommit} when it is set. */
    private PreparedStatement failingOnCommit(PreparedStatement ps) {
        return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                    SQLException c = onCommit;
                    if (c != null && method.getName().startsWith("execute")) {
                        throw c;
                    }
                    return invoke(ps, method, args);
                });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException ex) {
            throw ex.getCause();
        }
    }
}
