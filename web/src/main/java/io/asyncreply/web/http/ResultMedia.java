package io.asyncreply.web.http;

import java.util.Locale;
import java.util.Set;

/**
 * How a task's raw result is served: its content type, made safe, and whether browsers must be
 * kept from running it.
 *
 * <p>A result's content type comes from the handler, and for {@code echo} from the client: any
 * text at all. Two hazards follow. (1) Text that is not a media type made the answer fail on every
 * request; such a result is served as {@code application/octet-stream}. (2) A result of an active
 * type (HTML, SVG, XML, JavaScript, PDF...) would run in a browser with the API's origin: anyone
 * who can submit a task could plant a page there. Every result is served with
 * {@code X-Content-Type-Options: nosniff}; every type that is not known to be inert
 * ({@link #INERT}) also gets {@link #SANDBOX} as its Content-Security-Policy and
 * {@code Content-Disposition: attachment}. An allow-list of inert types rather than a list of
 * active ones: a type nobody thought of is treated as dangerous.
 *
 * @param contentType the content type to send: the stored one when it is a well-formed media type
 *     (RFC 9110, ASCII only), else {@code application/octet-stream}
 * @param active whether browsers must not render it in the API's origin
 */
public record ResultMedia(String contentType, boolean active) {
    public static final String OCTET_STREAM = "application/octet-stream";
    /** The Content-Security-Policy of an active result: no script, no subresource, a unique origin. */
    public static final String SANDBOX = "sandbox; default-src 'none'";

    /** Types a browser shows as data, never as a document that runs code. Essence, lower case. */
    static final Set<String> INERT = Set.of(
            "text/plain", "text/csv", "text/tab-separated-values",
            "application/json", "application/x-ndjson", "application/octet-stream",
            "application/zip", "application/gzip", "application/x-gzip", "application/x-tar",
            "application/cbor", "application/x-protobuf",
            "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp");

    /** Inert whole top-level types: a browser plays them with its media player or downloads them. */
    private static final Set<String> INERT_TOP = Set.of("audio", "video", "font");

    /** The way to serve a result whose stored content type is {@code stored}. */
    public static ResultMedia of(String stored) {
        String essence = stored == null ? null : essence(stored);
        if (essence == null) {
            return new ResultMedia(OCTET_STREAM, false);
        }
        return new ResultMedia(stored.trim(), !isInert(essence));
    }

    private static boolean isInert(String essence) {
        if (INERT.contains(essence)) {
            return true;
        }
        int slash = essence.indexOf('/');
        String top = essence.substring(0, slash);
        // application/problem+json, application/vnd.x+json...: JSON, shown as text
        return INERT_TOP.contains(top) || (top.equals("application") && essence.endsWith("+json"));
    }

    /**
     * {@code type/subtype} in lower case when {@code s} is a well-formed media type:
     * {@code token "/" token *( OWS ";" OWS token "=" ( token / quoted-string ) )}, ASCII only;
     * otherwise null.
     */
    static String essence(String s) {
        String v = s.trim();
        int n = v.length();
        int i = token(v, 0);
        if (i == 0 || i >= n || v.charAt(i) != '/') {
            return null;
        }
        int sub = token(v, i + 1);
        if (sub == i + 1) {
            return null;
        }
        String essence = v.substring(0, sub).toLowerCase(Locale.ROOT);
        int p = sub;
        while (true) {
            p = ows(v, p);
            if (p == n) {
                return essence;
            }
            if (v.charAt(p) != ';') {
                return null;
            }
            p = ows(v, p + 1);
            int name = token(v, p);
            if (name == p || name >= n || v.charAt(name) != '=') {
                return null;
            }
            p = name + 1;
            if (p < n && v.charAt(p) == '"') {
                p = quoted(v, p);
            } else {
                int value = token(v, p);
                p = value == p ? -1 : value;
            }
            if (p < 0) {
                return null;
            }
        }
    }

    /** The end of the token starting at {@code from} ({@code from} itself when there is none). */
    private static int token(String s, int from) {
        int i = from;
        while (i < s.length() && isTchar(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int ows(String s, int from) {
        int i = from;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** The end of the quoted-string starting at {@code from}, or -1 when it is not closed or not ASCII. */
    private static int quoted(String s, int from) {
        for (int i = from + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                i++;
                if (i >= s.length() || !isVisibleOrSpace(s.charAt(i))) {
                    return -1;
                }
            } else if (!isVisibleOrSpace(c)) {
                return -1;
            }
        }
        return -1;
    }

    private static boolean isVisibleOrSpace(char c) {
        return c == '\t' || (c >= 0x20 && c <= 0x7E);
    }

    private static boolean isTchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
