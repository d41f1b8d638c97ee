package io.asyncreply.web.config;

import io.asyncreply.task.RetryPolicy;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TypePolicy;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The per-type policies of the task types this node serves, from settings named
 * {@code asyncreply.types.<type>.<key>} (found like every setting: system property, environment
 * variable {@code ASYNCREPLY_TYPES_<TYPE>_<KEY>}, context-param), see docs/configuration.md:
 * <ul>
 * <li>{@code concurrency}: at most N of its tasks run at once across every node (0: no limit);</li>
 * <li>{@code rate}: at most N starts per second across every node, a decimal, or with a unit
 * {@code 30/m}, {@code 100/h} (0: no limit);</li>
 * <li>{@code timeout}: a running attempt is interrupted after this long and fails {@code timeout};</li>
 * <li>{@code priority}: the priority of submissions that give none, -10 to 10;</li>
 * <li>{@code max-attempts}, {@code retry-delay}, {@code retry-max-delay}, {@code retry-multiplier}:
 * override the handler's retry policy (each key alone; the others keep the handler's values, or
 * 1 s, 10 min and 2 when the handler does not retry).</li>
 * </ul>
 * A bad value, or an unknown key of a type this node serves, stops the deployment with a message
 * naming the setting. Settings of a type this node does not serve are logged (another node may serve
 * it) and otherwise ignored.
 */
public final class TypePolicies {
    private static final System.Logger LOG = System.getLogger(TypePolicies.class.getName());
    public static final String PREFIX = "asyncreply.types.";
    static final Set<String> KEYS = Set.of("concurrency", "rate", "timeout", "priority", "max-attempts", "retry-delay",
            "retry-max-delay", "retry-multiplier");

    private TypePolicies() {
    }

    /**
     * The policies of the types of {@code handlers} that have at least one setting.
     *
     * @param names setting names known to be set (context-params and system properties), to find
     *     misspelt keys and types this node does not serve; environment variables are looked up by
     *     the names of the keys above only
     * @throws IllegalArgumentException naming the setting
     */
    public static Map<String, TypePolicy> from(Settings s, Map<String, TaskHandler> handlers, Collection<String> names) {
        for (String name : names) {
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String rest = name.substring(PREFIX.length());
            int dot = rest.lastIndexOf('.');
            String type = dot < 0 ? rest : rest.substring(0, dot);
            String key = dot < 0 ? "" : rest.substring(dot + 1);
            if (!handlers.containsKey(type)) {
                if (s.raw(name) != null) {
                    LOG.log(Level.INFO, "setting {0} is for task type ''{1}'', which this node does not serve", name,
                            type);
                }
            } else if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("Setting " + name + " (environment " + Settings.envName(name)
                        + ") is not a setting of a task type; expected one of asyncreply.types." + type + "."
                        + String.join("|", new java.util.TreeSet<>(KEYS)) + ".");
            }
        }
        Map<String, TypePolicy> out = new LinkedHashMap<>();
        handlers.forEach((type, handler) -> {
            TypePolicy p = policy(s, type, handler);
            if (p != null) {
                out.put(type, p);
            }
        });
        return out;
    }

    /** The policy of {@code type}, or null when none of its settings is set. */
    static TypePolicy policy(Settings s, String type, TaskHandler handler) {
        String base = PREFIX + type + ".";
        boolean any = KEYS.stream().anyMatch(k -> s.raw(base + k) != null);
        if (!any) {
            return null;
        }
        int concurrency = s.integer(base + "concurrency", 0, 0, 1_000_000);
        double rate = rate(s, base + "rate");
        Duration timeout = s.raw(base + "timeout") == null ? null : s.positiveDuration(base + "timeout", null);
        int priority = s.integer(base + "priority", 0, Task.MIN_PRIORITY, Task.MAX_PRIORITY);
        RetryPolicy retry = retry(s, base, handler.retryPolicy());
        return new TypePolicy(concurrency, rate, timeout, priority, retry);
    }

    private static RetryPolicy retry(Settings s, String base, RetryPolicy handlers) {
        String[] keys = {"max-attempts", "retry-delay", "retry-max-delay", "retry-multiplier"};
        boolean any = false;
        for (String k : keys) {
            any |= s.raw(base + k) != null;
        }
        if (!any) {
            return null;
        }
        RetryPolicy from = handlers.maxAttempts() > 1 ? handlers : RetryPolicy.exponential(1, Duration.ofSeconds(1));
        int attempts = s.integer(base + "max-attempts", from.maxAttempts(), 1, 1000);
        Duration delay = s.duration(base + "retry-delay", from.initialDelay());
        Duration maxDelay = s.duration(base + "retry-max-delay", from.maxDelay());
        double multiplier = decimal(s, base + "retry-multiplier", from.multiplier(), 1, 100);
        if (maxDelay.compareTo(delay) < 0) {
            throw invalid(base + "retry-max-delay", s.raw(base + "retry-max-delay"),
                    "a duration no shorter than retry-delay (" + delay + ")");
        }
        return new RetryPolicy(attempts, delay, maxDelay, multiplier);
    }

    /** Starts per second: {@code 5}, {@code 0.5}, {@code 5/s}, {@code 30/m}, {@code 100/h}. */
    static double rate(Settings s, String name) {
        String v = s.raw(name);
        if (v == null) {
            return 0;
        }
        String t = v.toLowerCase(Locale.ROOT).replace(" ", "");
        double per = 1;
        int slash = t.indexOf('/');
        if (slash >= 0) {
            per = switch (t.substring(slash + 1)) {
                case "s" -> 1;
                case "m" -> 60;
                case "h" -> 3600;
                default -> -1;
            };
            t = t.substring(0, slash);
        }
        double n = parse(t);
        if (per < 0 || !(n >= 0) || Double.isInfinite(n) || n > 1_000_000) {
            throw invalid(name, v, "a number of starts per second from 0 to 1000000, or with a unit: 30/m, 100/h");
        }
        return n / per;
    }

    private static double decimal(Settings s, String name, double def, double min, double max) {
        String v = s.raw(name);
        if (v == null) {
            return def;
        }
        double n = parse(v);
        if (!(n >= min && n <= max)) {
            throw invalid(name, v, "a number from " + min + " to " + max);
        }
        return n;
    }

    private static double parse(String v) {
        if (!v.matches("[0-9]+(\\.[0-9]+)?")) {
            return Double.NaN;
        }
        return Double.parseDouble(v);
    }

    private static IllegalArgumentException invalid(String name, String value, String expected) {
        return new IllegalArgumentException("Setting " + name + " (environment " + Settings.envName(name) + ") is '"
                + value + "'; expected " + expected + ".");
    }
}
