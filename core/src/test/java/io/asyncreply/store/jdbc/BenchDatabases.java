package io.asyncreply.store.jdbc;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;

/** The databases a hand-run store benchmark ({@code main}) measures: each named in its arguments, or H2 then PostgreSQL. */
final class BenchDatabases {
    /** One benchmark on one database. */
    interface Bench {
        void run(String name, DataSource ds) throws Exception;
    }

    private BenchDatabases() {
    }

    /**
     * Runs {@code bench} on each of {@code args} ({@code h2}: a file database in a new temporary
     * directory named after {@code prefix}; otherwise a fresh PostgreSQL schema, see {@link TestPostgres}).
     */
    static void each(String[] args, String prefix, Bench bench) throws Exception {
        for (String db : args.length == 0 ? new String[] {"h2", "postgresql"} : args) {
            if (db.equals("h2")) {
                Path dir = Files.createTempDirectory(prefix + "-h2");
                JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("tasks"), "sa", "");
                try {
                    bench.run("H2 2.5", pool);
                } finally {
                    pool.dispose();
                }
            } else {
                try (TestPostgres pg = TestPostgres.freshSchema()) {
                    bench.run("PostgreSQL", pg.dataSource());
                }
            }
        }
    }
}
