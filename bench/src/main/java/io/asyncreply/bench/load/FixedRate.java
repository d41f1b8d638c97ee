package io.asyncreply.bench.load;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed-rate (open-model) load generator, because Debian ships {@code wrk} but not {@code wrk2}:
 * POSTs at {@code rate} requests per second for {@code seconds}, spread over {@code connections}
 * keep-alive connections (connection i sends requests i, i+c, i+2c, ... of one global schedule).
 * Latency is measured from each request's <em>scheduled</em> send time, so a stall delays the
 * requests behind it and shows up in their latency (no coordinated omission, as in wrk2); the
 * latency from the actual send time is reported too.
 *
 * <p>Usage: {@code fixed-rate URL RATE SECONDS CONNECTIONS BODY_BYTES [CONTENT_TYPE]}; prints {@code key=value} lines.
 */
final class FixedRate {
    private FixedRate() {
    }

    static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        double rate = Double.parseDouble(args[1]);
        double seconds = Double.parseDouble(args[2]);
        int connections = Integer.parseInt(args[3]);
        byte[] body = "x".repeat(Integer.parseInt(args[4])).getBytes();
        String contentType = args.length > 5 ? args[5] : "application/octet-stream";
        byte[] request = Http.request("POST", url.getRawPath(), url.getHost() + ":" + url.getPort(), contentType,
                body);

        Stats corrected = new Stats();
        Stats uncorrected = new Stats();
        long total = (long) (rate * seconds);
        double intervalNanos = 1e9 / rate;
        long start = System.nanoTime() + 200_000_000L; // all threads ready
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int first = c;
            Thread t = new Thread(() -> {
                try (Http http = Http.to(url)) {
                    for (long k = first; k < total; k += connections) {
                        long scheduled = start + (long) (k * intervalNanos);
                        long now;
                        while ((now = System.nanoTime()) < scheduled) {
                            LockSupport.parkNanos(scheduled - now);
                        }
                        long sent = System.nanoTime();
                        try {
                            Http.Response r = http.send(request);
                            long end = System.nanoTime();
                            corrected.add(end - scheduled);
                            uncorrected.add(end - sent);
                            corrected.status(r.status());
                        } catch (Exception e) {
                            corrected.error();
                            http.close();
                        }
                    }
                }
            }, "fixed-rate-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.println(String.format(Locale.ROOT,
                "target_rate=%.1f%nachieved_rate=%.1f%nseconds=%.2f%nconnections=%d%nerrors=%d", rate,
                corrected.count() / elapsed, elapsed, connections, corrected.errors));
        System.out.println(corrected.statusesKv("status", 202));
        System.out.println(corrected.latencyKv("latency"));
        System.out.println(uncorrected.latencyKv("latency_from_send"));
    }
}
