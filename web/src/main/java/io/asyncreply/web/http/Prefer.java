package io.asyncreply.web.http;

import java.util.Enumeration;
import java.util.Locale;

/** Reads the {@code wait} preference of RFC 7240 {@code Prefer} headers. */
public final class Prefer {
    private Prefer() {
    }

    /**
     * {@code value} as a whole number of seconds, at most {@code cap}; -1 when it is not one (only
     * the ASCII digits 0-9, at least one). Any number of digits is whole: beyond the cap it is the
     * cap, however long.
     */
    public static int cappedSeconds(String value, int cap) {
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int first = 0;
        while (first < value.length() - 1 && value.charAt(first) == '0') {
            first++;
        }
        String digits = value.substring(first);
        return digits.length() > 9 ? cap : Math.min(Integer.parseInt(digits), cap);
    }

    /**
     * Seconds asked for with {@code wait=N}, capped at {@code cap}; 0 when absent or malformed
     * (RFC 7240: a preference that is not understood is ignored).
     */
    public static int waitSeconds(Enumeration<String> headers, int cap) {
        if (headers == null) {
            return 0;
        }
        while (headers.hasMoreElements()) {
            for (String pref : headers.nextElement().split("[,;]")) {
                String p = pref.trim().toLowerCase(Locale.ROOT);
                int eq = p.indexOf('=');
                if (eq > 0 && p.substring(0, eq).trim().equals("wait")) { // RFC 7240 allows spaces around '='
                    String v = p.substring(eq + 1).trim();
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    return Math.max(0, cappedSeconds(v, cap));
                }
            }
        }
        return 0;
    }
}
