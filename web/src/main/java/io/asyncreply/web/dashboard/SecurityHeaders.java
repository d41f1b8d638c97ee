package io.asyncreply.web.dashboard;

import jakarta.servlet.http.HttpServletResponse;

/**
 * The headers every dashboard response carries. The pages run only the scripts and styles they are
 * served with (no inline script or style, no other origin: everything is in the WAR), cannot be
 * framed (clickjacking), and send no referrer; nothing is sniffed into another type.
 */
final class SecurityHeaders {
    /** The Content-Security-Policy of every dashboard response. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private SecurityHeaders() {
    }

    static void apply(HttpServletResponse res) {
        res.setHeader("Content-Security-Policy", CSP);
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setHeader("X-Frame-Options", "DENY");
        res.setHeader("Referrer-Policy", "no-referrer");
        res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
        res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    }
}
