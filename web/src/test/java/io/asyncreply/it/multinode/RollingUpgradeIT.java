package io.asyncreply.it.multinode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncreply.it.Api;
import io.asyncreply.it.Api.Reply;
import io.asyncreply.it.EmbeddedWar;
import io.asyncreply.it.jvm.ServerProcess;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rolling upgrade over HTTP: two nodes on one PostgreSQL schema, each its own JVM
 * ({@link ServerProcess}). {@code node-old} serves the plain WAR; {@code node-new} serves the WAR
 * with a new task type, {@link RunRecorder}'s {@value RunRecorder#TYPE}. A node claims only the
 * types it has handlers for: the new type's tasks stay {@code QUEUED} (never failed for want of a
 * handler) while only the old node runs, {@code GET /types} shows them waiting with no node to serve
 * them, and they run on the new node once it is back.
 */
class RollingUpgradeIT {
    private static final String TYPE = RunRecorder.TYPE;

    private MultiNodeDb db;
    private final List<ServerProcess> nodes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ServerProcess p : nodes) {
            p.close();
        }
        if (db != null) {
            db.close();
        }
    }

    private ServerProcess node(String id, java.nio.file.Path war) {
        ServerProcess p = ServerProcess.builder("ru-" + id).war(war).nodeId(id)
                .setting("asyncreply.store", "jdbc")
                .setting("asyncreply.jdbc.url", db.url())
                .setting("asyncreply.jdbc.pool-size", "4")
                .setting("asyncreply.workers", "2")
                .setting("asyncreply.lease", "6s")
                .setting("asyncreply.shutdown.grace", "1s")
                .build();
        nodes.add(p);
        return p;
    }

    @Test
    void tasksOfATypeOnlyTheNewNodeServesWaitWhileOnlyTheOldNodeRunsAndRunOnTheNewOne() throws Exception {
        db = MultiNodeDb.create(RunRecorder.DDL);
        ServerProcess old = node("node-old", EmbeddedWar.war()).start();
        ServerProcess upgraded = node("node-new", MultiNodeWar.get()).start();
        Api viaOld = new Api(old.baseUrl());
        Api viaNew = new Api(upgraded.baseUrl());

        JsonNode served = type(viaOld, TYPE);
        assertThat(served.path("nodes")).extracting(JsonNode::asText).containsExactly("node-new");
        assertThat(served.path("policy").isNull()).as("node-old does not serve it: no policy of its own").isTrue();
        assertThat(type(viaOld, "echo").path("nodes")).extracting(JsonNode::asText)
                .containsExactly("node-new", "node-old");
        assertThat(viaOld.submit(TYPE, "1".getBytes(), "text/plain").status()).as("node-old has no such type")
                .isEqualTo(404);

        // Hold the new type while the new node takes them, then take the new node away.
        assertThat(viaOld.send(viaOld.request("types/" + TYPE + "/pause").POST(HttpRequest.BodyPublishers.noBody()))
                .status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Reply r = viaNew.submit(TYPE, "50".getBytes(), "text/plain");
            assertThat(r.status()).as("%s", r).isEqualTo(202);
            ids.add(r.json().path("id").asText());
        }
        upgraded.stop();
        Reply resumed = viaOld.send(viaOld.request("types/" + TYPE + "/resume").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(resumed.status()).as("%s", resumed).isEqualTo(200);
        assertThat(resumed.json().path("paused").asBoolean()).isFalse();

        // Only node-old runs now: it polls every second and was woken by the resume.
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> ids.stream()
                .allMatch(id -> status(viaOld, id).equals("QUEUED")));
        JsonNode waiting = type(viaOld, TYPE);
        assertThat(waiting.path("queued").asLong()).isEqualTo(3);
        assertThat(waiting.path("running").asLong()).isZero();
        assertThat(waiting.path("nodes")).as("no live node serves it").isEmpty();
        assertThat(runs()).as("nothing ran").isZero();

        upgraded.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream()
                .allMatch(id -> status(viaOld, id).equals("SUCCEEDED")));
        for (String id : ids) {
            assertThat(viaOld.get("tasks/" + id + "/result").text()).isEqualTo("node-new");
            assertThat(viaOld.get("tasks/" + id).json().path("attempts").asInt()).isEqualTo(1);
        }
        assertThat(runs()).isEqualTo(3);
        assertThat(runsOn("node-old")).isZero();
    }

    private static String status(Api api, String id) {
        Reply r = api.get("tasks/" + id);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.json().path("status").asText();
    }

    private static JsonNode type(Api api, String name) {
        Reply r = api.get("types");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        for (JsonNode t : r.json().path("items")) {
            if (t.path("type").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no type " + name + " in " + r);
    }

    private long runs() throws SQLException {
        return count("SELECT COUNT(*) FROM " + RunRecorder.RUNS);
    }

    private long runsOn(String node) throws SQLException {
        return count("SELECT COUNT(*) FROM " + RunRecorder.RUNS + " WHERE node = '" + node + "'");
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
