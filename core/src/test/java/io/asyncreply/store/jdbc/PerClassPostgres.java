package io.asyncreply.store.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * A test class's PostgreSQL: a fresh schema opened before its first test and dropped after its last
 * ({@link TestPostgres}). When PostgreSQL cannot be reached, {@link #dataSource()} skips the test
 * that asks, with the reason (the class's H2 tests still run); with {@code CI=true} opening fails the
 * class instead. Use: {@code @RegisterExtension static final PerClassPostgres POSTGRES = new PerClassPostgres();}
 */
final class PerClassPostgres implements BeforeAllCallback, AfterAllCallback {
    private TestPostgres postgres;
    private String skipped;

    @Override
    public void beforeAll(ExtensionContext context) {
        try {
            postgres = TestPostgres.freshSchema();
        } catch (TestAbortedException e) {
            skipped = e.getMessage();
            System.err.println(context.getDisplayName() + ": " + skipped);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    /** The schema's name; skips the calling test when PostgreSQL was not reachable. */
    String schema() {
        Assumptions.assumeTrue(skipped == null, skipped);
        return postgres.schema();
    }

    /** The schema's pooled connections; skips the calling test when PostgreSQL was not reachable. */
    DataSource dataSource() {
        Assumptions.assumeTrue(skipped == null, skipped);
        return postgres.dataSource();
    }
}
