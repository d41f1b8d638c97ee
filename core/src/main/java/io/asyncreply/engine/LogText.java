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
        return append(new StringBuilder(Math.min(s.length(), MAX) + 16), s, false).toString();
    }

    /**
     * Appends {@code s} to {@code sb} as {@link #safe} does, in double quotes, with the quotes in it
     * escaped ({@code \"}): a value of a {@code key="value"} field that no text can end early.
     */
    static StringBuilder appendQuoted(StringBuilder sb, String s) {
        if (s == null) {
            return sb.append("null");
        }
        return append(sb.append('"'), s, true).append('"');
    }

    private static StringBuilder append(StringBuilder sb, String s, boolean quotes) {
        int n = Math.min(s.length(), MAX);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (quotes && c == '"') {
                sb.append("\\\"");
                continue;
            }
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
        return sb;
    }
}
