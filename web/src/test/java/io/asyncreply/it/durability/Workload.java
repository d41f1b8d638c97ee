package io.asyncreply.it.durability;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncreply.it.Api;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tasks submitted over HTTP and what became of them: a deterministic mix of {@code sleep}
 * (50 to 500 ms) and {@code echo} (a small JSON document, so its result is inlined in the task
 * JSON), the ids of those that got a 202, and long-polling until they are terminal.
 */
final class Workload {
    /** What the test asked for; {@code sleepMs} is -1 for echo. */
    record Spec(int n, String type, long sleepMs, String payload) {
        boolean isSleep() {
            return sleepMs >= 0;
        }
    }

    /** The end of one task as seen by long-polling: its last JSON, or why there is none. */
    record Outcome(String id, Spec spec, JsonNode json, String problem) {
        String status() {
            return json == null ? "none" : json.path("status").asText();
        }

        int attempts() {
            return json == null ? 0 : json.path("attempts").asInt();
        }

        boolean isTerminal() {
            return json != null && TERMINAL.contains(status());
        }
    }

    static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    private final Random random;
    private final Map<String, Spec> accepted = new ConcurrentHashMap<>();
    private int next;

    Workload(long seed) {
        this.random = new Random(seed);
    }

    /** The next task: every fourth a {@code sleep} of 50 to 500 ms, the others {@code echo}. */
    synchronized Spec next() {
        int n = next++;
        if (n % 4 == 0) {
            long ms = 50 + random.nextInt(451);
            return new Spec(n, "sleep", ms, "{\"ms\":" + ms + "}");
        }
        return new Spec(n, "echo", -1, "{\"n\":" + n + ",\"pad\":\"" + "x".repeat(random.nextInt(64)) + "\"}");
    }

    /** A {@code sleep} of {@code ms}, numbered like the others. */
    synchronized Spec sleep(long ms) {
        return new Spec(next++, "sleep", ms, "{\"ms\":" + ms + "}");
    }

    /** POST /tasks/{type}; a 202 is recorded as accepted. Throws when the server cannot be reached. */
    Api.Reply submit(Api api, Spec spec) {
        Api.Reply r = api.submit(spec.type(), spec.payload().getBytes(StandardCharsets.UTF_8), "application/json");
        if (r.status() == 202) {
            accepted.put(r.json().path("id").asText(), spec);
        }
        return r;
    }

    /**
     * Submits {@code count} new tasks with {@code threads} concurrent clients and returns the
     * answers that were not 202 (so a test can show them).
     */
    List<Api.Reply> submitAll(Api api, int count, int threads, Duration timeout) throws Exception {
        List<Spec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            specs.add(next());
        }
        List<Api.Reply> refused = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (Spec s : specs) {
                all.add(pool.submit(() -> {
                    Api.Reply r = submit(api, s);
                    if (r.status() != 202) {
                        refused.add(r);
                    }
                }));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Future<?> f : all) {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        return refused;
    }

    /** Task id to what was submitted, for every task that got a 202. */
    Map<String, Spec> accepted() {
        return Map.copyOf(accepted);
    }

    /**
     * Long-polls {@code GET /tasks/{id}?wait=N} for each id, many at once, until each is terminal,
     * unknown (404), answered otherwise than 200, or {@code timeout} has passed.
     */
    Map<String, Outcome> awaitTerminal(Api api, Collection<String> ids, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Outcome> out = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(24);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (String id : ids) {
                Spec spec = accepted.get(id);
                all.add(pool.submit(() -> out.put(id, poll(api, id, spec, deadline))));
            }
            for (Future<?> f : all) {
                try {
                    f.get(Math.max(1, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(35),
                            TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // reported below as "no answer"
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        Map<String, Outcome> sorted = new TreeMap<>(out);
        for (String id : ids) {
            sorted.putIfAbsent(id, new Outcome(id, accepted.get(id), null, "no answer within " + timeout));
        }
        return sorted;
    }

    private static Outcome poll(Api api, String id, Spec spec, long deadline) {
        JsonNode last = null;
        while (true) {
            long left = TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime());
            if (left <= 0) {
                return new Outcome(id, spec, last, "not terminal in time");
            }
            Api.Reply r;
            try {
                r = api.get("tasks/" + id + "?wait=" + Math.min(10, left));
            } catch (UncheckedIOException e) {
                return new Outcome(id, spec, last, e.getMessage() + ": " + e.getCause());
            }
            if (r.status() == 404) {
                return new Outcome(id, spec, null, "lost: 404 " + r.text());
            }
            if (r.status() != 200) {
                return new Outcome(id, spec, last, "answered " + r);
            }
            last = r.json();
            if (TERMINAL.contains(last.path("status").asText())) {
                return new Outcome(id, spec, last, null);
            }
        }
    }

    /**
     * What is wrong with the outcomes, one line per task (empty when every task is SUCCEEDED with
     * the result its payload calls for: echo returns the payload, sleep reports its ms).
     */
    static List<String> problems(Map<String, Outcome> outcomes) {
        List<String> problems = new ArrayList<>();
        for (Outcome o : outcomes.values()) {
            if (o.problem() != null) {
                problems.add(o.id() + " " + o.spec() + ": " + o.problem() + " (last seen " + o.json() + ")");
            } else if (!"SUCCEEDED".equals(o.status())) {
                problems.add(o.id() + " " + o.spec() + ": ended " + o.status() + " " + o.json());
            } else if (!expectedResult(o)) {
                problems.add(o.id() + " " + o.spec() + ": wrong result " + o.json().path("result"));
            } else if (o.attempts() < 1) {
                problems.add(o.id() + " " + o.spec() + ": succeeded with attempts " + o.attempts());
            }
        }
        return problems;
    }

    private static boolean expectedResult(Outcome o) {
        JsonNode result = o.json().path("result");
        if (o.spec().isSleep()) {
            return result.path("sleptMs").asLong(-2) == o.spec().sleepMs();
        }
        return result.path("n").asInt(-1) == o.spec().n();
    }
}
