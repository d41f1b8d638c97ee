package io.asyncreply.bench.load;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends exactly {@code count} POSTs as fast as {@code connections} keep-alive connections allow
 * (closed loop), e.g. to fill a queue or push a million tasks through.
 *
 * <p>Usage: {@code submit URL COUNT CONNECTIONS (BODY_BYTES | 'literal body') [CONTENT_TYPE]}; prints {@code key=value} lines.
 */
final class Submit {
    private Submit() {
    }

    static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        long count = Long.parseLong(args[1]);
        int connections = Integer.parseInt(args[2]);
        byte[] body = args[3].matches("\\d+") ? "x".repeat(Integer.parseInt(args[3])).getBytes() : args[3].getBytes();
        String contentType = args.length > 4 ? args[4] : "application/octet-stream";
        byte[] request = Http.request("POST", url.getRawPath(), url.getHost() + ":" + url.getPort(), contentType,
                body);
        Stats stats = new Stats();
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread t = new Thread(() -> {
                try (Http http = Http.to(url)) {
                    while (next.getAndIncrement() < count) {
                        try {
                            stats.status(http.send(request).status());
                        } catch (Exception e) {
                            stats.error();
                            http.close();
                        }
                    }
                }
            }, "submit-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.println(String.format(Locale.ROOT, "count=%d%nseconds=%.2f%nrate=%.1f%nerrors=%d", count, elapsed,
                count / elapsed, stats.errors));
        System.out.println(stats.statusesKv("status", 202));
    }
}
