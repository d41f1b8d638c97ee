package io.asyncreply.web.auth;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The dashboard's static files: {@code GET} or {@code HEAD} of {@code /dashboard},
 * {@code /dashboard/} and {@code /dashboard/assets/...}, the HTML, CSS, script and images that the
 * WAR holds and that are the same for everyone: they carry no data (the data comes from
 * {@code /dashboard/api/...}, which is not one of them).
 *
 * <p>With {@code asyncreply.auth=apikey} they need no credentials, because a browser cannot send an
 * API key when it loads a page: the page's script asks for the key and sends it with every call to
 * the API (docs/security.md). Nothing else is a page: not the API, not another method, not another
 * path below {@code /dashboard}.
 */
public final class BrowserPages {
    private BrowserPages() {
    }

    /** Whether {@code req} asks for one of the dashboard's static files. */
    public static boolean isStaticFile(HttpServletRequest req) {
        String method = req.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return false;
        }
        String path;
        try {
            String info = req.getPathInfo();
            path = req.getServletPath() + (info == null ? "" : info);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return isStaticFile(path);
    }

    /** Whether {@code path} (decoded, from the application's root) names one of the static files. */
    static boolean isStaticFile(String path) {
        if (path.equals("/dashboard") || path.equals("/dashboard/")) {
            return true;
        }
        String assets = "/dashboard/assets/";
        return path.startsWith(assets) && path.length() > assets.length() && !path.contains("..")
                && !path.contains("//") && path.chars().noneMatch(c -> c <= ' ' || c == '\\' || c == ';');
    }
}
