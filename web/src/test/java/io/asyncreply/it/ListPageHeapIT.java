package io.asyncreply.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncreply.it.Api.Reply;
import io.asyncreply.it.jvm.ServerProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A measurement, not part of the default run ({@code -Dmeasure.list-heap=true}; PostgreSQL at
 * 127.0.0.1:5432, database test, about 1 GB in a schema dropped afterwards): the heap a server uses
 * while it answers six concurrent {@code GET /tasks?limit=500} over 500 tasks with 1 MiB results
 * each (the D1), in its own JVM with {@code -Xmx256m} ({@code -Dmeasure.list-heap.xmx}).
 * Read from the GC log while the pages are served: the largest heap before a collection, after
 * one, and after a full one (what was really in use). With {@code -Dmeasure.list-heap.json=true}
 * the results are JSON of 250 KiB instead, the largest a store still reads with a page; with
 * {@code -Dmeasure.list-heap.war=PATH} another WAR is measured.
 */
@EnabledIfSystemProperty(named = "measure.list-heap", matches = "true")
class ListPageHeapIT {
    private static final Pattern PAUSE = Pattern.compile("GC\\(\\d+\\) Pause.* (\\d+)M->(\\d+)M\\((\\d+)M\\)");

    @Test
    void sixConcurrentPagesOf500TasksWithLargeResults() throws Exception {
        boolean json = Boolean.getBoolean("measure.list-heap.json");
        String heap = System.getProperty("measure.list-heap.xmx", "256m");
        String war = System.getProperty("measure.list-heap.war");
        String schema = "asyncreply_heap_" + Long.toHexString(System.nanoTime());
        sql("CREATE SCHEMA " + schema);
        ServerProcess.Builder builder = ServerProcess.builder("list-heap");
        if (war != null) {
            builder.war(Path.of(war));
        }
        try (ServerProcess server = builder.setting("asyncreply.store", "jdbc")
                .setting("asyncreply.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema)
                .setting("asyncreply.jdbc.user", "postgres")
                .setting("asyncreply.workers", "2").setting("asyncreply.queue.capacity", "1000")
                .jvmArg("-Xmx" + heap).jvmArg("-Xlog:gc:file=" + Path.of("target", "list-heap-gc.log").toAbsolutePath())
                .build()) {
            server.start();
            URI base = server.baseUrl();
            Api api = new Api(base);
            byte[] result = new byte[json ? 250 * 1024 : 1 << 20];
            Arrays.fill(result, (byte) 'x');
            if (json) {
                result[0] = '"';
                result[result.length - 1] = '"';
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                Reply r = api.submit("echo", result, json ? "application/json" : "application/octet-stream");
                assertThat(r.status()).as("%s", r).isEqualTo(202);
                ids.add(r.json().path("id").asText());
            }
            for (String id : ids) {
                assertThat(api.get("tasks/" + id + "?wait=30").json().path("status").asText()).isEqualTo("SUCCEEDED");
            }
            Path gcLog = Path.of("target", "list-heap-gc.log");
            int from = Files.readAllLines(gcLog).size();

            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<Reply>> pages = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                pages.add(pool.submit(() -> api.get("tasks?limit=500")));
            }
            long bytes = 0;
            for (Future<Reply> f : pages) {
                Reply r = f.get();
                assertThat(r.status()).as("%s", r.request()).isEqualTo(200);
                assertThat(r.json().path("items").size()).isEqualTo(500);
                bytes += r.body().length;
            }
            pool.shutdown();

            List<String> lines = Files.readAllLines(gcLog);
            int peak = 0;
            int live = 0;
            int liveAfterFull = -1;
            int pauses = 0;
            for (String line : lines.subList(from, lines.size())) {
                Matcher m = PAUSE.matcher(line);
                if (m.find()) {
                    peak = Math.max(peak, Integer.parseInt(m.group(1)));
                    live = Math.max(live, Integer.parseInt(m.group(2)));
                    if (line.contains("Pause Full")) {
                        liveAfterFull = Math.max(liveAfterFull, Integer.parseInt(m.group(2)));
                    }
                    pauses++;
                }
            }
            System.out.printf("[list heap] results %s, -Xmx%s: six pages of 500 answered, %d bytes in all; "
                    + "%d collections while serving them; heap before one at most %d MB, after one at most %d MB, "
                    + "after a full one at most %s%n", json ? "JSON 250 KiB" : "binary 1 MiB", heap, bytes, pauses,
                    peak, live, liveAfterFull < 0 ? "(none)" : liveAfterFull + " MB");
        } finally {
            sql("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static void sql(String statement) throws java.sql.SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "postgres");
        try (java.sql.Connection c = new org.postgresql.Driver().connect("jdbc:postgresql://127.0.0.1:5432/test", p);
                java.sql.Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
