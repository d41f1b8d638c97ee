package io.asyncreply.store.jdbc;

import java.nio.file.Path;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The store contract, and the JDBC store's own behaviour, on H2 in a temporary file. */
class H2TaskStoreTest extends JdbcTaskStoreContract {
    @TempDir
    static Path dir;
    private static JdbcConnectionPool pool;

    @BeforeAll
    static void openDatabase() {
        pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("tasks").toAbsolutePath(), "sa", "");
        pool.setMaxConnections(16);
    }

    @AfterAll
    static void closeDatabase() {
        if (pool != null) {
            pool.dispose();
        }
    }

    @Override
    protected DataSource dataSource() {
        return pool;
    }

    @Override
    protected JdbcTaskStore.Database expectedDatabase() {
        return JdbcTaskStore.Database.H2;
    }
}
