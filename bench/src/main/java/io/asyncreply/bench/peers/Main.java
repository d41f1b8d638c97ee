package io.asyncreply.bench.peers;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The peer comparison's tools, one JVM per use, driven by bench/peers.sh:
 * <ul>
 *   <li>{@code run SYSTEM ROUND CSV}: every figure of one round of one system ({@link Run}), rows
 *       appended to CSV, settings printed as {@code setting.SYSTEM.KEY=VALUE} lines;</li>
 *   <li>{@code summary PEERS_CSV MEDIANS_CSV}: medians over the rounds ({@link Summary});</li>
 *   <li>{@code pg-settings}: PostgreSQL's version and settings, {@code key=value};</li>
 *   <li>{@code pickup-probe [N [WARMUP]]}: an idle node's pickup step by step ({@link PickupProbe}).</li>
 * </ul>
 * Options are system properties ({@code -Dpeers.tasks=20000} and so on; see {@link Run}).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("tools: run SYSTEM ROUND CSV | summary PEERS_CSV MEDIANS_CSV | pg-settings"
                    + " | pickup-probe [N [WARMUP]]");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "run" -> {
                // Some of the systems leave non-daemon threads behind (pools of their own), the
                // more so after a failure: end the JVM here either way rather than wait for them.
                int status = 0;
                try {
                    new Run(rest[0], Integer.parseInt(rest[1]), Path.of(rest[2])).run();
                } catch (Throwable e) {
                    e.printStackTrace();
                    status = 1;
                }
                System.exit(status);
            }
            case "summary" -> Summary.main(rest);
            case "pickup-probe" -> {
                String url = System.getProperty("peers.pg.url", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
                PickupProbe.run(url, rest.length > 0 ? Integer.parseInt(rest[0]) : 300,
                        rest.length > 1 ? Integer.parseInt(rest[1]) : 3_000);
                System.exit(0); // the pool's and the driver's threads are gone; nothing else to wait for
            }
            case "pg-settings" -> {
                String url = System.getProperty("peers.pg.url", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
                for (Map.Entry<String, String> e : Backend.pgSettings(url).entrySet()) {
                    System.out.println(e.getKey() + "=" + e.getValue());
                }
            }
            default -> {
                System.err.println("unknown tool " + args[0]);
                System.exit(2);
            }
        }
    }
}
