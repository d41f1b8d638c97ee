package io.asyncreply.web.http;

/**
 * The syntax of a media type (RFC 9110, section 8.3.1), checked and not parsed: the intake keeps a
 * payload's {@code Content-Type} exactly as sent, but refuses one that is not a media type at all,
 * which no client could be given back on {@code GET /tasks/{id}/result}.
 *
 * <pre>
 * media-type = type "/" subtype parameters
 * parameters = *( OWS ";" OWS [ parameter ] )
 * parameter  = token "=" ( token / quoted-string )
 * </pre>
 */
public final class MediaType {
    private MediaType() {
    }

    /** Whether {@code value} is a media type; leading and trailing whitespace is allowed. */
    public static boolean isWellFormed(String value) {
        if (value == null) {
            return false;
        }
        String s = value;
        int end = s.length();
        while (end > 0 && isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        int i = skipWhitespace(s, 0, end);
        i = token(s, i, end);
        if (i < 0 || i == end || s.charAt(i) != '/') {
            return false;
        }
        i = token(s, i + 1, end);
        if (i < 0) {
            return false;
        }
        while (true) {
            i = skipWhitespace(s, i, end);
            if (i == end) {
                return true;
            }
            if (s.charAt(i) != ';') {
                return false;
            }
            i = skipWhitespace(s, i + 1, end);
            if (i == end || s.charAt(i) == ';') {
                continue; // an empty parameter is allowed
            }
            i = token(s, i, end);
            if (i < 0 || i == end || s.charAt(i) != '=') {
                return false;
            }
            i++;
            i = i < end && s.charAt(i) == '"' ? quoted(s, i, end) : token(s, i, end);
            if (i < 0) {
                return false;
            }
        }
    }

    /** The index after a token starting at {@code i}, or -1 when there is none. */
    private static int token(String s, int i, int end) {
        int start = i;
        while (i < end && isTokenChar(s.charAt(i))) {
            i++;
        }
        return i == start ? -1 : i;
    }

    /** The index after a quoted-string starting at {@code i} (its opening quote), or -1. */
    private static int quoted(String s, int i, int end) {
        for (i++; i < end; i++) {
            char c = s.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                i++;
                if (i == end || !isQuotedPairChar(s.charAt(i))) {
                    return -1;
                }
            } else if (!isQdtext(c)) {
                return -1;
            }
        }
        return -1; // not closed
    }

    private static int skipWhitespace(String s, int i, int end) {
        while (i < end && isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    static boolean isTokenChar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static boolean isQdtext(char c) {
        return c == '\t' || c == ' ' || c == 0x21 || c >= 0x23 && c <= 0x5B || c >= 0x5D && c <= 0x7E
                || c >= 0x80 && c <= 0xFF;
    }

    private static boolean isQuotedPairChar(char c) {
        return c == '\t' || c >= 0x20 && c <= 0x7E || c >= 0x80 && c <= 0xFF;
    }
}
