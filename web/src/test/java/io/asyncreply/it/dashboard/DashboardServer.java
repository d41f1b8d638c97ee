package io.asyncreply.it.dashboard;

import io.asyncreply.it.EmbeddedWar;
import io.asyncreply.web.auth.KeyDigest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The WAR in embedded Jetty for the dashboard tests: the test settings, the extra task type
 * {@link FailingHandler}, and either callers chosen by cookie ({@link TestCallers}) or
 * {@code asyncreply.auth=apikey} with real keys ({@link ApiKeys}; tasks are then submitted with the
 * admin key).
 */
final class DashboardServer implements AutoCloseable {
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    final EmbeddedWar war = new EmbeddedWar();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Path extra;
    URI base;

    /** With asyncreply.auth=apikey: the keys of this server; null with the test callers of the cookie. */
    final ApiKeys keys;

    /** Three keys: {@code ops} (admin), {@code audit} (viewer), {@code alice} (user). */
    static final class ApiKeys {
        final String admin = KeyDigest.newKey();
        final String viewer = KeyDigest.newKey();
        final String user = KeyDigest.newKey();

        /** The value of {@code asyncreply.auth.keys}: their hashes, owners and roles. */
        String setting() {
            return KeyDigest.of(admin).format() + " ops admin," + KeyDigest.of(viewer).format() + " audit viewer,"
                    + KeyDigest.of(user).format() + " alice user";
        }
    }

    /** Authentication off; callers chosen by cookie ({@link TestCallers}). */
    DashboardServer() throws Exception {
        this(null);
    }

    /** With {@code keys}: asyncreply.auth=apikey with them, and no test callers; without: as {@link #DashboardServer()}. */
    DashboardServer(ApiKeys keys) throws Exception {
        this.keys = keys;
        extra = Files.createTempDirectory("dashboard-handler");
        String cls = FailingHandler.class.getName().replace('.', '/') + ".class";
        Path target = extra.resolve(cls);
        Files.createDirectories(target.getParent());
        try (InputStream in = FailingHandler.class.getClassLoader().getResourceAsStream(cls)) {
            Files.write(target, in.readAllBytes());
        }
        Path services = extra.resolve("META-INF/services/io.asyncreply.task.TaskHandler");
        Files.createDirectories(services.getParent());
        Files.writeString(services, FailingHandler.class.getName() + "\n");
        war.extraClasspath(extra);
        Map<String, String> settings = EmbeddedWar.testSettings();
        settings.put("asyncreply.workers", "4");
        if (keys != null) {
            settings.put("asyncreply.auth", "apikey");
            settings.put("asyncreply.auth.keys", keys.setting());
        }
        base = war.start(settings);
        if (keys == null) {
            war.insertFilterAfter("auth", new TestCallers(war.classLoader()));
        }
    }

    /** Submits a task and returns its id. */
    String submit(String type, String contentType, String payload, String idempotencyKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("tasks/" + type)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        if (keys != null) {
            b.header("Authorization", "Bearer " + keys.admin);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new AssertionError("submit answered " + r.statusCode() + ": " + r.body());
        }
        Matcher m = ID.matcher(r.body());
        if (!m.find()) {
            throw new AssertionError("no id in " + r.body());
        }
        return m.group(1);
    }

    String sleep(long ms) throws Exception {
        return submit("sleep", "application/json", "{\"ms\": " + ms + "}", null);
    }

    /** A request to the server as {@code caller} ({@code ROLE.owner}, or null for the application's own). */
    HttpResponse<String> send(String method, String path, String caller, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).method(method,
                HttpRequest.BodyPublishers.noBody());
        if (caller != null) {
            b.header("Cookie", TestCallers.COOKIE + "=" + caller);
        }
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        try {
            war.close();
        } finally {
            try (var paths = Files.walk(extra)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
