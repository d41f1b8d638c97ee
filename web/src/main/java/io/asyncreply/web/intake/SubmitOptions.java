package io.asyncreply.web.intake;

import io.asyncreply.engine.SubmitRequest;
import io.asyncreply.task.Task;
import io.asyncreply.web.http.QueryString;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of a submission, from the query string of {@code POST /tasks/{type}}, checked before
 * its body is read: {@code delay} or {@code runAt}, {@code priority}, {@code ttl}, {@code callback}.
 * Other parameters are ignored. The engine checks what depends on each other or on the type
 * (a {@code ttl} that ends before the run time, the type's default priority) again.
 *
 * @param priority -10 to 10, or null for the type's default
 * @param runAt not before then, or null
 * @param delay not before this long from now, or null
 * @param ttl if not started within this long, it ends FAILED {@code expired}; or null
 * @param callback an http or https URL for the terminal event, or null
 */
public record SubmitOptions(Integer priority, Instant runAt, Duration delay, Duration ttl, String callback) {
    /** Longest delay or time to live: ten years, as for durations in settings. */
    static final Duration MAX_DURATION = Duration.ofDays(3650);
    /** Longest callback URL. */
    static final int MAX_CALLBACK_LENGTH = 2048;
    /** A latest run time, far beyond any sensible one and inside every store's range. */
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,12})(ms|s|m|h)");

    /** No options. */
    public static final SubmitOptions NONE = new SubmitOptions(null, null, null, null, null);

    /** An option's value is not valid: 400 {@code invalid-option}, naming it. */
    static final class InvalidOption extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidOption(String detail) {
            super(detail);
        }
    }

    /** @throws InvalidOption naming the parameter */
    static SubmitOptions parse(String rawQuery) {
        Map<String, List<String>> q;
        try {
            q = QueryString.parse(rawQuery);
        } catch (IllegalArgumentException e) {
            throw new InvalidOption("The query string has a malformed percent-escape.");
        }
        String delay = single(q, "delay");
        String runAt = single(q, "runAt");
        if (delay != null && runAt != null) {
            throw new InvalidOption("Give delay or runAt, not both.");
        }
        String priority = single(q, "priority");
        String ttl = single(q, "ttl");
        String callback = single(q, "callback");
        return new SubmitOptions(priority == null ? null : priority(priority), runAt == null ? null : runAt(runAt),
                delay == null ? null : duration("delay", delay, true), ttl == null ? null : duration("ttl", ttl, false),
                callback == null ? null : callback(callback));
    }

    /** The request for the engine. */
    SubmitRequest request(String type, byte[] payload, String contentType, String idempotencyKey, String owner,
            String traceparent) {
        return new SubmitRequest(type, payload, contentType, idempotencyKey, owner, priority, runAt, delay, ttl,
                traceparent, callback, null);
    }

    private static String single(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        if (v == null) {
            return null;
        }
        if (v.size() > 1) {
            throw new InvalidOption("Option '" + name + "' is given more than once.");
        }
        return v.get(0);
    }

    private static Integer priority(String v) {
        int p;
        try {
            p = Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            p = Integer.MIN_VALUE;
        }
        if (p < Task.MIN_PRIORITY || p > Task.MAX_PRIORITY) {
            throw new InvalidOption("Option 'priority' must be a whole number from " + Task.MIN_PRIORITY + " to "
                    + Task.MAX_PRIORITY + ".");
        }
        return p;
    }

    /**
     * A whole number with a unit ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}) or ISO-8601
     * ({@code PT30S}), at most {@link #MAX_DURATION}; zero only where {@code zeroAllowed}.
     */
    static Duration duration(String name, String v, boolean zeroAllowed) {
        Duration d = null;
        String s = v.strip();
        Matcher m = DURATION.matcher(s);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            } else if (s.startsWith("P") || s.startsWith("p")) {
                d = Duration.parse(s.toUpperCase(Locale.ROOT));
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            d = null;
        }
        if (d == null || d.isNegative() || d.compareTo(MAX_DURATION) > 0 || (d.isZero() && !zeroAllowed)) {
            throw new InvalidOption("Option '" + name + "' must be a duration " + (zeroAllowed ? "" : "of more than "
                    + "zero ") + "of at most 3650 days: a whole number with a unit (500ms, 30s, 5m, 2h) or ISO-8601 "
                    + "(PT30S).");
        }
        return d;
    }

    private static Instant runAt(String v) {
        try {
            Instant at = OffsetDateTime.parse(v.strip()).toInstant();
            if (at.isAfter(LATEST)) {
                throw new DateTimeException("too late");
            }
            return at;
        } catch (DateTimeException e) {
            throw new InvalidOption("Option 'runAt' must be an RFC 3339 time with a time zone offset, such as "
                    + "2026-12-01T10:15:30Z, before the year 10000.");
        }
    }

    private static String callback(String v) {
        String s = v.strip();
        URI u;
        try {
            u = new URI(s);
        } catch (URISyntaxException e) {
            u = null;
        }
        String scheme = u == null || u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (u == null || s.length() > MAX_CALLBACK_LENGTH || !(scheme.equals("http") || scheme.equals("https"))
                || u.getHost() == null || u.getRawUserInfo() != null || u.getRawFragment() != null) {
            throw new InvalidOption("Option 'callback' must be an absolute http or https URL with a host, no user "
                    + "information and no fragment, of at most " + MAX_CALLBACK_LENGTH + " characters.");
        }
        return s;
    }
}
