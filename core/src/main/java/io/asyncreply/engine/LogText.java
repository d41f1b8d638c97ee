package io.asyncreply.engine;

/**
 * Text from tasks (handlers' error messages) made safe for one log line: control characters,
 * including CR and LF, become visible escapes ({@code \n}, {@code \r}, {@code \t},
 * {@code \u0007}), so that task data can never start a forged log record; long text is cut.
 */
final class LogText {
    /** Longest text put in a log line. */
    static final int MAX = 500;

    private LogText() {
    }

    static String safe(String s) {
        if (s == null) {
            return "null";
        }
        int n = Math.min(s.length(), MAX);
        StringBuilder sb = new StringBuilder(n + 16);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7F || c == '\u2028' || c == '\u2029' || c == '\u0085') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (n < s.length()) {
            sb.append("...");
        }
        return sb.toString();
    }
}
