package io.asyncreply.bench.load;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;

/**
 * The load tools that bench/run.sh drives, one JVM per use: {@code java -cp ... io.asyncreply.bench.load.Main TOOL ARGS}.
 * <ul>
 *   <li>{@code fixed-rate}: {@link FixedRate}</li>
 *   <li>{@code submit}: {@link Submit}</li>
 *   <li>{@code slow}: {@link SlowUploads}</li>
 *   <li>{@code wake}: {@link WakeLatency}</li>
 *   <li>{@code threads}: {@link JettyThreads}</li>
 *   <li>{@code get URL}: prints the body of a GET (exit 1 unless 200)</li>
 *   <li>{@code pg-reset JDBC_URL SCHEMA}: drops and creates a schema in PostgreSQL</li>
 * </ul>
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("tools: fixed-rate submit slow wake webhook threads get pg-reset");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "fixed-rate" -> FixedRate.main(rest);
            case "submit" -> Submit.main(rest);
            case "slow" -> SlowUploads.main(rest);
            case "wake" -> WakeLatency.main(rest);
            case "webhook" -> WebhookLatency.main(rest);
            case "threads" -> JettyThreads.main(rest);
            case "get" -> {
                URI u = URI.create(rest[0]);
                try (Http h = Http.to(u)) {
                    Http.Response r = h.get(u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
                    System.out.println(r.text());
                    System.exit(r.status() == 200 ? 0 : 1);
                }
            }
            case "pg-reset" -> {
                try (Connection c = DriverManager.getConnection(rest[0]); Statement s = c.createStatement()) {
                    s.execute("DROP SCHEMA IF EXISTS " + rest[1] + " CASCADE");
                    s.execute("CREATE SCHEMA " + rest[1]);
                }
            }
            default -> {
                System.err.println("unknown tool " + args[0]);
                System.exit(2);
            }
        }
    }
}
