package io.asyncreply.web.dashboard;

import io.asyncreply.web.http.Responses;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Serves the dashboard's pages: {@code /dashboard} redirects to {@code /dashboard/}, which is the
 * page ({@code index.html}); {@code /dashboard/assets/*} are its scripts, styles and images. The
 * files are read once, at start, from the WAR's {@code WEB-INF/dashboard/} (out of reach of any
 * other path), into memory: only those files exist, so no request names anything else, and each
 * answer is one write of bytes already held. Every file has an {@code ETag} and
 * {@code Cache-Control: no-cache}, so a browser asks again but gets {@code 304} until the WAR
 * changes.
 */
public final class DashboardFiles extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** Where the files are in the WAR. */
    static final String ROOT = "/WEB-INF/dashboard";
    private static final Map<String, String> TYPES = Map.of("html", "text/html;charset=UTF-8", "js",
            "text/javascript;charset=UTF-8", "css", "text/css;charset=UTF-8", "svg", "image/svg+xml", "png",
            "image/png", "txt", "text/plain;charset=UTF-8");

    private record File(byte[] bytes, String contentType, String etag) {
    }

    /** By path below {@link #ROOT}: {@code /index.html}, {@code /assets/app.js}, ... Read-only after init. */
    private final Map<String, File> files = new TreeMap<>();

    @Override
    public void init() throws ServletException {
        load(getServletContext(), ROOT + "/");
        if (!files.containsKey("/index.html")) {
            throw new ServletException("the dashboard's pages are missing from the WAR (" + ROOT + "/index.html)");
        }
    }

    private void load(ServletContext context, String dir) throws ServletException {
        Set<String> paths = context.getResourcePaths(dir);
        if (paths == null) {
            return;
        }
        for (String path : paths) {
            if (path.endsWith("/")) {
                load(context, path);
                continue;
            }
            String ext = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            String type = TYPES.get(ext);
            if (type == null) {
                continue;
            }
            try (InputStream in = context.getResourceAsStream(path)) {
                if (in != null) {
                    byte[] bytes = in.readAllBytes();
                    files.put(path.substring(ROOT.length()), new File(bytes, type, etag(bytes)));
                }
            } catch (IOException e) {
                throw new ServletException("cannot read dashboard file " + path, e);
            }
        }
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        serve(req, res, true);
    }

    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse res) throws IOException {
        serve(req, res, false);
    }

    private void serve(HttpServletRequest req, HttpServletResponse res, boolean body) throws IOException {
        String servletPath = req.getServletPath();
        String info = req.getPathInfo();
        if ("/dashboard".equals(servletPath) && info == null) {
            res.setStatus(HttpServletResponse.SC_MOVED_PERMANENTLY);
            res.setHeader("Location", req.getContextPath() + "/dashboard/");
            return;
        }
        String name = "/dashboard/".equals(servletPath) && info == null ? "/index.html"
                : "/dashboard/assets".equals(servletPath) && info != null ? "/assets" + info : null;
        File f = name == null ? null : files.get(name);
        if (f == null) {
            Responses.problem(404, "not-found", "Not Found", "There is nothing at this path.",
                    false).writeTo(res);
            return;
        }
        res.setHeader("ETag", f.etag());
        res.setHeader("Cache-Control", "no-cache");
        if (f.etag().equals(req.getHeader("If-None-Match"))) {
            res.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        res.setContentType(f.contentType());
        res.setContentLength(f.bytes().length);
        if (body) {
            res.getOutputStream().write(f.bytes());
        }
    }

    /** The names of the files served (for tests). */
    Set<String> names() {
        return files.keySet();
    }

}
