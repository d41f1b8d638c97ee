package io.asyncreply.web.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The web application's configuration. Every setting has a name like {@code asyncreply.queue.capacity}
 * and is looked up, first match wins, in:
 * <ol>
 *   <li>the Java system property of that name ({@code -Dasyncreply.queue.capacity=5000});</li>
 *   <li>the environment variable of that name upper-cased with dots and dashes as underscores
 *       ({@code ASYNCREPLY_QUEUE_CAPACITY=5000});</li>
 *   <li>the web application's context-param of that name ({@code web.xml} or the container's
 *       context configuration);</li>
 *   <li>the built-in default.</li>
 * </ol>
 * A value that cannot be parsed stops the deployment with a message naming the setting: a typo
 * must not silently fall back to a default.
 */
public final class Settings {
    /** Longer durations are refused: ten years is beyond any sensible setting, and safe from overflow. */
    static final Duration MAX_DURATION = Duration.ofDays(3650);

    private final Function<String, String> contextParams;
    private final Map<String, String> env;
    private final Function<String, String> sysprops;

    public Settings(Function<String, String> contextParams, Map<String, String> env, Function<String, String> sysprops) {
        this.contextParams = Objects.requireNonNull(contextParams);
        this.env = Objects.requireNonNull(env);
        this.sysprops = Objects.requireNonNull(sysprops);
    }

    /** Settings from the real system properties and environment, over {@code contextParams}. */
    public static Settings of(Function<String, String> contextParams) {
        return new Settings(contextParams, System.getenv(), System::getProperty);
    }

    /** The environment variable name for a setting: {@code asyncreply.queue.capacity -> ASYNCREPLY_QUEUE_CAPACITY}. */
    public static String envName(String name) {
        return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The raw value, or {@code null} when not set anywhere (blank counts as not set). */
    public String raw(String name) {
        String v = sysprops.apply(name);
        if (isBlank(v)) {
            v = env.get(envName(name));
        }
        if (isBlank(v)) {
            v = contextParams.apply(name);
        }
        return isBlank(v) ? null : v.trim();
    }

    public String string(String name, String def) {
        String v = raw(name);
        return v == null ? def : v;
    }

    public int integer(String name, int def, int min, int max) {
        long v = longValue(name, def, min, max);
        return (int) v;
    }

    public long longValue(String name, long def, long min, long max) {
        String v = raw(name);
        if (v == null) {
            return def;
        }
        long n;
        try {
            n = Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw invalid(name, v, "a whole number");
        }
        if (n < min || n > max) {
            throw invalid(name, v, "a number from " + min + " to " + max);
        }
        return n;
    }

    public boolean bool(String name, boolean def) {
        String v = raw(name);
        if (v == null) {
            return def;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1":
                return true;
            case "false", "no", "off", "0":
                return false;
            default:
                throw invalid(name, v, "true or false");
        }
    }

    /**
     * A duration: ISO-8601 ({@code PT30S}) or a number with a unit: {@code ms}, {@code s},
     * {@code m}, {@code h}, {@code d} ({@code 500ms}, {@code 30s}, {@code 24h}).
     */
    public Duration duration(String name, Duration def) {
        String v = raw(name);
        if (v == null) {
            return def;
        }
        Duration d = parseDuration(v);
        if (d == null || d.isNegative() || d.compareTo(MAX_DURATION) > 0) {
            throw invalid(name, v, "a duration of at most 3650d, such as 500ms, 30s, 5m, 24h, 7d or PT30S");
        }
        return d;
    }

    /** A {@link #duration} that must be more than zero. */
    public Duration positiveDuration(String name, Duration def) {
        Duration d = duration(name, def);
        if (d.isZero()) {
            throw invalid(name, raw(name), "a duration of more than zero, such as 30s");
        }
        return d;
    }

    /**
     * A {@link #duration} in whole seconds, from {@code min} to {@code max}: for settings that are
     * sent or counted in seconds, where {@code 500ms} would silently become 0.
     */
    public int seconds(String name, Duration def, int min, int max) {
        Duration d = duration(name, def);
        if (d.getNano() != 0 || d.getSeconds() < min || d.getSeconds() > max) {
            throw invalid(name, raw(name), "whole seconds from " + min + "s to " + max + "s");
        }
        return (int) d.getSeconds();
    }

    static Duration parseDuration(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            }
            int i = 0;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == 0) {
                return null;
            }
            long n = Long.parseLong(s.substring(0, i));
            switch (s.substring(i).trim()) {
                case "ms":
                    return Duration.ofMillis(n);
                case "s":
                case "":
                    return Duration.ofSeconds(n);
                case "m":
                    return Duration.ofMinutes(n);
                case "h":
                    return Duration.ofHours(n);
                case "d":
                    return Duration.ofDays(n);
                default:
                    return null;
            }
        } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    private static IllegalArgumentException invalid(String name, String value, String expected) {
        return new IllegalArgumentException("Setting " + name + " (environment " + envName(name) + ") is '"
                + value + "'; expected " + expected + ".");
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
