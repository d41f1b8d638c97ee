package io.asyncreply.store.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract, and the JDBC store's own behaviour, on PostgreSQL in a fresh schema
 * (see {@link TestPostgres}: skipped when PostgreSQL is unreachable, unless CI=true).
 */
class PostgresTaskStoreTest extends JdbcTaskStoreContract {
    private static TestPostgres postgres;

    @BeforeAll
    static void openDatabase() {
        postgres = TestPostgres.freshSchema();
    }

    @AfterAll
    static void closeDatabase() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    protected DataSource dataSource() {
        return postgres.dataSource();
    }

    @Override
    protected JdbcTaskStore.Database expectedDatabase() {
        return JdbcTaskStore.Database.POSTGRESQL;
    }
}
