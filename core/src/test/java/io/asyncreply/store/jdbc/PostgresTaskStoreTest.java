package io.asyncreply.store.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.opentest4j.TestAbortedException;

/**
 * The store contract, and the JDBC store's own behaviour, on PostgreSQL in a fresh schema
 * (see {@link TestPostgres}: every test is skipped when PostgreSQL is unreachable, unless CI=true).
 */
class PostgresTaskStoreTest extends JdbcTaskStoreContract {
    private static TestPostgres postgres;
    private static String skipped;

    @BeforeAll
    static void openDatabase() {
        try {
            postgres = TestPostgres.freshSchema();
        } catch (TestAbortedException e) { // reported on every test, so that the skip shows in the counts
            skipped = e.getMessage();
            System.err.println("PostgresTaskStoreTest: " + skipped);
        }
    }

    @AfterAll
    static void closeDatabase() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    protected DataSource dataSource() {
        Assumptions.assumeTrue(skipped == null, skipped);
        return postgres.dataSource();
    }

    @Override
    protected JdbcTaskStore.Database expectedDatabase() {
        return JdbcTaskStore.Database.POSTGRESQL;
    }
}
