package io.asyncreply.it.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerLogTest {

    @TempDir
    Path dir;

    @Test
    void findsTomcatAndJettyProblemLinesOnlyAfterTheMark() throws IOException {
        Path file = dir.resolve("catalina.out");
        Files.writeString(file, "25-Nov-2026 03:21:16.117 SEVERE [main] old trouble\n");
        ContainerLog log = new ContainerLog(file);
        long mark = log.mark();
        Files.writeString(file, String.join("\n",
                "25-Nov-2026 03:21:18.175 INFO [main] org.apache.catalina.core.StandardService.startInternal fine",
                "25-Nov-2026 03:21:19.000 WARNING [main] org.apache.catalina.loader.WebappClassLoaderBase.clearReferencesThreads"
                        + " The web application [ROOT] appears to have started a thread named [w-1] but has failed to stop it.",
                "25-Nov-2026 03:21:19.001 WARNING [main] ... To prevent a memory leak, the JDBC Driver has been forcibly unregistered.",
                "2026-11-25 03:22:46.148:INFO :oejs.Server:main: jetty-12.1.8",
                "2026-11-25 03:22:46.149:ERROR:oejs.Server:main: boom",
                "2026-11-25 03:22:46.150:WARN :oejd.StandardDeployer:main: Failed startup of context x",
                "") + "\n", java.nio.file.StandardOpenOption.APPEND);

        assertThat(log.problems()).hasSize(5);
        assertThat(log.problemsSince(mark)).hasSize(4).noneMatch(line -> line.contains("old trouble"));
        assertThat(log.tail(1)).contains("Failed startup");
    }

    @Test
    void awaitLineIsBoundedAndReportsTheTail() throws IOException {
        Path file = dir.resolve("jetty.out");
        Files.writeString(file, "first\nStarted something\n");
        ContainerLog log = new ContainerLog(file);

        assertThat(log.awaitLine(Pattern.compile("^Started"), 0, Duration.ofSeconds(1))).isEqualTo("Started something");
        assertThatThrownBy(() -> log.awaitLine(Pattern.compile("never"), 0, Duration.ofMillis(300)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Started something");
    }

    @Test
    void aMissingLogIsEmpty() {
        ContainerLog log = new ContainerLog(dir.resolve("none.log"));
        assertThat(log.mark()).isZero();
        assertThat(log.lines()).isEmpty();
    }
}
