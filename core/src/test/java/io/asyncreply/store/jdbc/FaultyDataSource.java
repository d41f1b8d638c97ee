package io.asyncreply.store.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** A DataSource that fails on command: refuses connections, or makes COMMIT throw (without committing). */
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
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
    }
}
