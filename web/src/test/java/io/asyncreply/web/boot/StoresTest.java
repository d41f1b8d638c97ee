package io.asyncreply.web.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncreply.web.config.WebConfig;
import io.asyncreply.web.testing.TestApps;
import java.nio.file.Path;
import java.sql.SQLException;
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
    void withoutAStoreSettingNothingIsOpenedAndTheMessageSaysWhichSettingAndWhyItHasNoDefault() {
        WebConfig config = WebConfig.from(TestApps.settings(Map.of()));

        assertThatThrownBy(() -> Stores.open(config)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("asyncreply.store").hasMessageContaining("ASYNCREPLY_STORE")
                .hasMessageContaining("conf/Catalina/localhost/ROOT.xml");
    }

    @Test
    void theH2StoreWithoutADirectoryIsRefusedRatherThanPutSomewhereShared() {
        WebConfig config = WebConfig.from(TestApps.settings(Map.of("asyncreply.store", "h2")));

        assertThatThrownBy(() -> Stores.open(config)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("asyncreply.h2.dir").hasMessageContaining("ASYNCREPLY_H2_DIR");
    }

    @Test
    void h2sDatabaseInUseErrorIsRecognisedAnywhereInTheCauseChain() {
        SQLException inUse = new SQLException("Database may be already in use", "90020", Stores.H2_DATABASE_ALREADY_OPEN);

        assertThat(Stores.inUse(new RuntimeException("pool", inUse))).isTrue();
        assertThat(Stores.inUse(new RuntimeException("pool", new SQLException("other", "08001", 90046)))).isFalse();
        assertThat(Stores.inUseMessage(Path.of("/srv/data/tasks.mv.db"))).contains("/srv/data/tasks.mv.db")
                .contains("asyncreply.h2.dir").contains("ASYNCREPLY_H2_DIR");
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
