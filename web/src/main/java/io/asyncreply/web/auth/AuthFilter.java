package io.asyncreply.web.auth;

import io.asyncreply.web.config.Settings;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * Decides who sends each request, in front of every entry path, and stores the answer as the
 * request's {@link Caller} ({@code asyncreply.auth}, see {@link AuthSettings}):
 * <ul>
 * <li>{@code none} (the default): every request is {@link Caller#ANONYMOUS};</li>
 * <li>{@code apikey} or {@code container}: a request with valid credentials goes on as their
 * caller. One without them on a {@linkplain PublicPaths public path} goes on with no caller (so
 * whatever there needs one fails closed); elsewhere it is answered 401 problem+json with
 * {@code WWW-Authenticate}, and goes no further.</li>
 * </ul>
 * With {@code apikey}, the dashboard's {@linkplain BrowserPages static files} are public too (a
 * browser loading a page cannot send a key; the files hold no data); its API is not.
 * What a caller may do (403) is decided where the request is served, with {@link Caller}.
 *
 * <p>The settings are read when the filter starts; a bad one fails the deployment with a message
 * naming it. Nothing of the credentials is logged.
 */
public final class AuthFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(AuthFilter.class.getName());

    private transient AuthSettings settings;
    private transient Authenticator authenticator;

    @Override
    public void init() throws ServletException {
        ServletContext ctx = getServletContext();
        try {
            settings = AuthSettings.from(Settings.of(ctx::getInitParameter));
            authenticator = settings.authenticator();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "asyncreply did not start: {0}", e.getMessage());
            throw new ServletException(e.getMessage(), e);
        }
        if (settings.mode() != AuthSettings.Mode.NONE) {
            LOG.log(Level.INFO, "asyncreply authentication: {0}", settings.mode().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (authenticator == null) {
            req.setAttribute(Caller.ATTRIBUTE, Caller.ANONYMOUS);
            chain.doFilter(req, res);
            return;
        }
        Authenticator.Found found = authenticator.identify(req);
        if (found instanceof Authenticator.Known k) {
            req.setAttribute(Caller.ATTRIBUTE, k.caller());
            chain.doFilter(req, res);
            return;
        }
        if (settings.publicPaths().contains(pathOf(req))
                || (settings.mode() == AuthSettings.Mode.APIKEY && BrowserPages.isStaticFile(req))) {
            chain.doFilter(req, res);
            return;
        }
        Caller c = authenticator.challenge(req, res, found);
        if (c != null) {
            req.setAttribute(Caller.ATTRIBUTE, c);
            chain.doFilter(req, res);
        }
    }

    /** The request's decoded path from the application's root; "" when the container will not decode it. */
    private static String pathOf(HttpServletRequest req) {
        try {
            String info = req.getPathInfo();
            return req.getServletPath() + (info == null ? "" : info);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
