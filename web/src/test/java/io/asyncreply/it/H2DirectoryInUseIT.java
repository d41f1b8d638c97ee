package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers, one H2 directory: the second must not start half-way and answer 503 pages with the
 * cause lost in the log (what {@code mvn jetty:run} did when another instance of the same user held
 * the shared default file). Its start fails with a message naming the file and the setting, and the
 * first server goes on serving. Each WAR deployment has its own class loader, so its own copy of H2:
 * the second one finds the file locked, as a second process would.
 */
class H2DirectoryInUseIT {

    @Test
    void aSecondServerOnTheSameH2DirectoryFailsToStartNamingTheFileAndTheSetting(@TempDir Path dir) throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(EmbeddedWar.testSettings());
        settings.put("asyncreply.store", "h2");
        settings.put("asyncreply.h2.dir", dir.toString());

        try (EmbeddedWar first = new EmbeddedWar(); EmbeddedWar second = new EmbeddedWar()) {
            URI base = first.start(settings);

            Throwable failure = catchThrowable(() -> second.start(settings));

            assertThat(failure).as("the second server's start").isNotNull();
            String file = dir.toAbsolutePath().normalize().resolve("tasks.mv.db").toString();
            assertThat(messages(failure)).as("messages of %s", failure)
                    .anySatisfy(m -> assertThat(m).contains(file).contains("in use by another server")
                            .contains("asyncreply.h2.dir").contains("ASYNCREPLY_H2_DIR"));
            assertThat(Files.exists(dir.resolve("tasks.mv.db"))).isTrue();

            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(base.resolve("health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as("the first server still serves: %s", health.body()).isEqualTo(200);
        }
    }

    private static List<String> messages(Throwable t) {
        List<String> all = new ArrayList<>();
        for (Throwable c = t; c != null && all.size() < 20; c = c.getCause()) {
            all.add(String.valueOf(c.getMessage()));
            for (Throwable s : c.getSuppressed()) {
                all.add(String.valueOf(s.getMessage()));
            }
        }
        return all;
    }
}
