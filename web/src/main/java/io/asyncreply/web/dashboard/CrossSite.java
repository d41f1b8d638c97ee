package io.asyncreply.web.dashboard;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Set;

/**
 * The rule that keeps another site from making an operator's browser act on the dashboard (CSRF):
 * a request other than {@code GET}, {@code HEAD} or {@code OPTIONS} must carry
 * {@code X-Requested-With: asyncreply-dashboard}, a header a page of another origin cannot add
 * without the CORS preflight this server never grants; and when the browser says where the request
 * comes from ({@code Sec-Fetch-Site}), it must be {@code same-origin}. The dashboard's own script
 * sends the header; forms and links of other sites cannot.
 */
final class CrossSite {
    /** The header, and its value, that the dashboard's script sends with every action. */
    static final String HEADER = "X-Requested-With";
    static final String VALUE = "asyncreply-dashboard";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    private CrossSite() {
    }

    /** Why {@code req} is refused, or null when it may go on. */
    static String refusal(HttpServletRequest req) {
        if (SAFE.contains(req.getMethod())) {
            return null;
        }
        if (!VALUE.equals(req.getHeader(HEADER))) {
            return "A dashboard action must carry the header " + HEADER + ": " + VALUE
                    + " (the dashboard's own script sends it).";
        }
        String site = req.getHeader("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin")) {
            return "A dashboard action must come from the dashboard's own pages (Sec-Fetch-Site: same-origin).";
        }
        return null;
    }
}
