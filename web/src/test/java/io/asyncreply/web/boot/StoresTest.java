package io.asyncreply.web.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.web.config.WebConfig;
import io.asyncreply.web.testing.TestApps;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Stores leaves behind when a store is closed (undeploy): Tomcat reports any live thread. */
class StoresTest {

    @Test
    void closingTheH2StoreLeavesNoPoolThreadAlive(@TempDir Path dir) {
        WebConfig config = WebConfig.from(TestApps.settings(Map.of("asyncreply.store", "h2",
                "asyncreply.h2.dir", dir.toString())));
        // HikariCP's close() returns when its executors have terminated, possibly before their last
        // thread has ended: repeat, so that the race would show.
        for (int i = 0; i < 10; i++) {
            Stores.Opened opened = Stores.open(config);
            opened.store().ping();

            opened.close();

            assertThat(poolThreads()).as("pool threads alive after close #%d", i).isEmpty();
        }
    }

    private static List<String> poolThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("asyncreply-h2:")).toList();
    }

    @Test
    void aPostgresUrlGetsASocketTimeoutAndBatchedInsertsUnlessItSetsThem() {
        assertThat(Stores.postgresDefaults("jdbc:postgresql://db/tasks"))
                .isEqualTo(Map.of("socketTimeout", "30", "reWriteBatchedInserts", "true"));
        assertThat(Stores.postgresDefaults("jdbc:postgresql://db/tasks?socketTimeout=0&reWriteBatchedInserts=false"))
                .isEmpty();
        assertThat(Stores.postgresDefaults("jdbc:postgresql://db/tasks?SOCKETTIMEOUT=5"))
                .containsOnlyKeys("reWriteBatchedInserts");
        assertThat(Stores.postgresDefaults("jdbc:h2:mem:x")).isEmpty();
    }
}
