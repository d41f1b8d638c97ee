package io.asyncreply.web.http;

import io.asyncreply.web.config.TrustedProxies;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The absolute URLs the server gives back in headers ({@code Location}, {@code Operation-Location})
 * and in {@code /operation} answers: the application's root as the client reached it, plus a path.
 *
 * <p>The root is the request's own scheme, host, port and context path. Behind a reverse proxy those
 * are the proxy's view of the backend, so the proxy's {@code Forwarded} (RFC 7239: {@code proto},
 * {@code host}) or, when there is none, {@code X-Forwarded-Proto}, {@code X-Forwarded-Host} and
 * {@code X-Forwarded-Port} replace them, but only when the connection comes from a proxy in
 * {@link TrustedProxies}: from anyone else they are ignored, so that a client cannot make the
 * server hand out URLs of a host of its choosing. With several trusted proxies in a row, the
 * {@code Forwarded} element of the outermost trusted one counts; of {@code X-Forwarded-*}, the first
 * value (trusted proxies must set these headers, not append to what the client sent).
 *
 * <p>Hazard: a host or scheme that is not well-formed (a header could carry anything) is never
 * copied into a header; the request's own is used instead.
 */
public final class Links {
    private static final Pattern HOST = Pattern.compile(
            "(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(:\\d{1,5})?");
    private static final Pattern SCHEME = Pattern.compile("https?", Pattern.CASE_INSENSITIVE);

    private final String root;

    private Links(String root) {
        this.root = root;
    }

    /** From a servlet request (the intake). */
    public static Links of(HttpServletRequest request, TrustedProxies trusted) {
        return of(request.getScheme(), request.getServerName(), request.getServerPort(), request.getContextPath(),
                request.getRemoteAddr(), name -> {
                    var values = request.getHeaders(name);
                    return values == null ? List.of() : Collections.list(values);
                }, trusted);
    }

    /**
     * From the parts of a request.
     *
     * @param contextPath the application's path, "" at the root, never ending in "/"
     * @param remoteAddr the address of the connection's peer, or null when unknown (then no
     *     forwarding header is believed)
     * @param headers every value of a request header, by name
     */
    public static Links of(String scheme, String host, int port, String contextPath, String remoteAddr,
            Function<String, List<String>> headers, TrustedProxies trusted) {
        String s = scheme.toLowerCase(Locale.ROOT);
        String authority = authority(s, host, port);
        if (remoteAddr != null && trusted.trusts(remoteAddr)) {
            Forwarded f = Forwarded.parse(headers.apply("Forwarded"), trusted);
            String proto = f != null ? f.proto : first(headers.apply("X-Forwarded-Proto"));
            String fhost = f != null ? f.host : first(headers.apply("X-Forwarded-Host"));
            String fport = f != null ? null : first(headers.apply("X-Forwarded-Port"));
            boolean schemeGiven = proto != null && SCHEME.matcher(proto).matches();
            if (schemeGiven) {
                s = proto.toLowerCase(Locale.ROOT);
            }
            int p = fport != null && fport.matches("\\d{1,5}") ? Integer.parseInt(fport) : -1;
            if (fhost != null && HOST.matcher(fhost).matches()) {
                authority = hasPort(fhost) ? fhost : authority(s, fhost, p > 0 ? p : defaultPort(s));
            } else if (p > 0 || schemeGiven) {
                authority = authority(s, host, p > 0 ? p : defaultPort(s)); // the proxy's port, not ours
            }
        }
        return new Links(s + "://" + authority + contextPath);
    }

    private static boolean hasPort(String host) {
        return host.lastIndexOf(':') > host.lastIndexOf(']');
    }

    /** The application's root, absolute, without a trailing slash: {@code https://api.example.com/ctx}. */
    public String root() {
        return root;
    }

    /** {@code root + path}; {@code path} begins with "/". */
    public String absolute(String path) {
        return root + path;
    }

    public String task(String id) {
        return root + "/tasks/" + id;
    }

    public String operation(String id) {
        return task(id) + "/operation";
    }

    public String result(String id) {
        return task(id) + "/result";
    }

    private static String authority(String scheme, String host, int port) {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        if (!HOST.matcher(h).matches()) {
            h = "localhost"; // never copy something that is not a host into a header
        }
        return port <= 0 || port == defaultPort(scheme) ? h : h + ":" + port;
    }

    private static int defaultPort(String scheme) {
        return "https".equals(scheme) ? 443 : 80;
    }

    private static String first(List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        String v = values.get(0);
        int comma = v.indexOf(',');
        String f = (comma >= 0 ? v.substring(0, comma) : v).trim();
        return f.isEmpty() ? null : f;
    }

    /** The {@code proto} and {@code host} of the outermost trusted proxy's {@code Forwarded} element. */
    private record Forwarded(String proto, String host) {
        static Forwarded parse(List<String> values, TrustedProxies trusted) {
            if (values == null || values.isEmpty()) {
                return null;
            }
            List<String> elements = new ArrayList<>();
            for (String v : values) {
                for (String e : v.split(",")) {
                    if (!e.isBlank()) {
                        elements.add(e.trim());
                    }
                }
            }
            if (elements.isEmpty()) {
                return null;
            }
            // The last element was added by our peer (trusted). Walk left while the element's own
            // client ("for") is a trusted proxy too: the element of the outermost one counts.
            int i = elements.size() - 1;
            while (i > 0 && trusted.trusts(address(param(elements.get(i), "for")))) {
                i--;
            }
            String e = elements.get(i);
            return new Forwarded(param(e, "proto"), param(e, "host"));
        }

        /** The address of a node ({@code 192.0.2.1:4711}, {@code [2001:db8::1]:80}, {@code unknown}). */
        private static String address(String node) {
            if (node == null) {
                return null;
            }
            if (node.startsWith("[")) {
                int close = node.indexOf(']');
                return close < 0 ? null : node.substring(1, close);
            }
            int colon = node.indexOf(':');
            return colon >= 0 && node.indexOf(':', colon + 1) < 0 ? node.substring(0, colon) : node;
        }

        private static String param(String element, String name) {
            for (String pair : element.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equalsIgnoreCase(name)) {
                    String v = pair.substring(eq + 1).trim();
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    return v.isEmpty() ? null : v;
                }
            }
            return null;
        }
    }
}
