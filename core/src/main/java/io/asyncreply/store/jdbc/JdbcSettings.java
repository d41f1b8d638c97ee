package io.asyncreply.store.jdbc;

import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * What a {@link JdbcTaskStore} is configured with, each value checked as it is set: the state behind
 * {@link JdbcTaskStore.Builder}, whose methods document the settings and their defaults.
 */
final class JdbcSettings {
    final DataSource dataSource;
    JdbcTaskStore.Database database;
    String tablePrefix = "asyncreply_";
    int maxBatchSize = 256;
    int maxWaitingInserts = 10_000;
    Duration countMaxAge = Duration.ofMillis(150);
    Duration closeWait = Duration.ofSeconds(10);
    JdbcTaskStore.Hooks hooks = JdbcTaskStore.Hooks.NONE;
    int chunk = JdbcTaskStore.CHUNK;
    boolean listenNotify = true;

    JdbcSettings(DataSource dataSource) {
        this.dataSource = new AutoCommitDataSource(Objects.requireNonNull(dataSource, "dataSource"));
    }

    void database(JdbcTaskStore.Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    void tablePrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.isEmpty() && !Dialect.PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("table prefix must match " + Dialect.PREFIX.pattern() + ": '"
                    + prefix + "'");
        }
        this.tablePrefix = prefix;
    }

    void maxBatchSize(int size) {
        this.maxBatchSize = atLeastOne(size, "maxBatchSize");
    }

    void maxWaitingInserts(int max) {
        this.maxWaitingInserts = atLeastOne(max, "maxWaitingInserts");
    }

    void queueCountMaxAge(Duration age) {
        this.countMaxAge = notNegative(age, "queueCountMaxAge");
    }

    void closeWait(Duration wait) {
        this.closeWait = notNegative(wait, "closeWait");
    }

    void listenNotify(boolean enabled) {
        this.listenNotify = enabled;
    }

    void chunk(int rows) {
        this.chunk = atLeastOne(rows, "chunk");
    }

    void hooks(JdbcTaskStore.Hooks hooks) {
        this.hooks = Objects.requireNonNull(hooks);
    }

    private static int atLeastOne(int n, String what) {
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be at least 1");
        }
        return n;
    }

    private static Duration notNegative(Duration d, String what) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative");
        }
        return d;
    }
}
