package io.asyncreply.engine;

import java.util.regex.Pattern;

/**
 * W3C trace context ({@code traceparent}) checks: a malformed or invalid one is dropped, as the
 * specification asks of a receiver (a new trace starts), never refused.
 */
final class Traceparent {
    private static final Pattern FORMAT = Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

    private Traceparent() {
    }

    /** {@code value} when it is a valid version-00 traceparent (or of a later version, cut to its first four fields), else null. */
    static String valid(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.length() > 55) {
            v = v.substring(0, 55); // a later version may append fields; the four first keep their meaning
        }
        var m = FORMAT.matcher(v);
        if (!m.matches() || m.group(1).equals("ff") || m.group(2).chars().allMatch(c -> c == '0')
                || m.group(3).chars().allMatch(c -> c == '0')) {
            return null;
        }
        if (m.group(1).equals("00") && value.trim().length() != 55) {
            return null; // version 00 has exactly four fields
        }
        return v;
    }
}
