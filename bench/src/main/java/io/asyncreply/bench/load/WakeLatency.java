package io.asyncreply.bench.load;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Long-poll wake latency: each of {@code concurrency} clients loops: POST /tasks/sleep
 * {@code {"ms":SLEEP_MS}}, then at once GET /tasks/{id}?wait=10, and takes the time at which the
 * whole answer is read minus the task's {@code finishedAt} (same machine, same clock). Answers
 * whose task had already finished before the GET was sent are not wakes and are not counted;
 * the first {@code warmup} tasks are not counted either.
 *
 * <p>{@code finishedAt} has millisecond precision (truncated), so each figure overstates the true
 * wake latency by 0 to 1 ms (0.5 ms on average): the figures are upper bounds.
 *
 * <p>Mode {@code prefer} instead submits with {@code Prefer: wait=10} and takes the time at which
 * the {@code 200} answer to the POST itself has been read: the same wake through the servlet intake
 * instead of the Jersey resource (the difference is what Jersey's resume costs).
 *
 * <p>Usage: {@code wake BASE_URL TASKS CONCURRENCY SLEEP_MS WARMUP [get|prefer]}; prints {@code key=value} lines.
 */
final class WakeLatency {
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern FINISHED = Pattern.compile("\"finishedAt\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([A-Z]+)\"");

    private WakeLatency() {
    }

    static void main(String[] args) throws Exception {
        URI base = URI.create(args[0].endsWith("/") ? args[0] : args[0] + "/");
        int tasks = Integer.parseInt(args[1]);
        int concurrency = Integer.parseInt(args[2]);
        int sleepMs = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        boolean prefer = args.length > 5 && args[5].equals("prefer");
        byte[] body = ("{\"ms\":" + sleepMs + "}").getBytes(StandardCharsets.UTF_8);
        String prefix = base.getRawPath();
        Stats wake = new Stats();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger notWakes = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            Thread t = new Thread(() -> {
                try (Http post = Http.to(base); Http poll = Http.to(base)) {
                    int i;
                    while ((i = next.getAndIncrement()) < tasks) {
                        try {
                            Instant asked;
                            Http.Response w;
                            Instant answered;
                            if (prefer) {
                                asked = Instant.now();
                                w = post.send(Http.request("POST", prefix + "tasks/sleep", base.getHost() + ":"
                                        + base.getPort(), "application/json", body, "Prefer: wait=10"));
                                answered = Instant.now();
                            } else {
                                Http.Response r = post.post(prefix + "tasks/sleep", "application/json", body);
                                if (r.status() != 202) {
                                    failures.incrementAndGet();
                                    continue;
                                }
                                String id = group(ID, r.text());
                                asked = Instant.now();
                                w = poll.get(prefix + "tasks/" + id + "?wait=10");
                                answered = Instant.now();
                            }
                            String json = w.text();
                            if (w.status() != 200 || !"SUCCEEDED".equals(group(STATUS, json))) {
                                failures.incrementAndGet();
                                continue;
                            }
                            Instant finished = Instant.parse(group(FINISHED, json));
                            if (i < warmup) {
                                continue;
                            }
                            if (!finished.isAfter(asked)) {
                                notWakes.incrementAndGet();
                                continue;
                            }
                            wake.add(Duration.between(finished, answered).toNanos());
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                    }
                }
            }, "wake-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println(String.format(Locale.ROOT,
                "mode=%s%ntasks=%d%nconcurrency=%d%nsleep_ms=%d%nwarmup=%d%nnot_wakes=%d%nfailures=%d",
                prefer ? "prefer" : "get", tasks, concurrency, sleepMs, warmup, notWakes.get(), failures.get()));
        System.out.println(wake.latencyKv("wake"));
    }

    private static String group(Pattern p, String s) {
        Matcher m = p.matcher(s);
        if (!m.find()) {
            throw new IllegalStateException("no " + p + " in " + s);
        }
        return m.group(1);
    }
}
