package io.asyncreply.http;

import java.util.Enumeration;
import java.util.Locale;

/** Reads the {@code wait} preference of RFC 7240 {@code Prefer} headers. */
final class Prefer {
    private Prefer() {
    }

    /**
     * Seconds asked for with {@code wait=N}, capped at {@code cap}; 0 when absent or malformed
     * (RFC 7240: a preference that is not understood is ignored).
     */
    static int waitSeconds(Enumeration<String> headers, int cap) {
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
                    if (!v.isEmpty() && v.length() <= 9 && v.chars().allMatch(Character::isDigit)) {
                        return Math.min(Integer.parseInt(v), cap);
                    }
                    return 0;
                }
            }
        }
        return 0;
    }
}
