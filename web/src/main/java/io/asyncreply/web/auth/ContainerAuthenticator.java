package io.asyncreply.web.auth;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.Principal;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code asyncreply.auth=container}: the servlet container authenticates, with the login mechanism
 * and realm its deployment configures (docs/security.md); the principal's name is the owner, role
 * {@value #ADMIN_ROLE} makes an admin, {@value #VIEWER_ROLE} a viewer, anything else a user.
 *
 * <p>No security constraint is needed: a request without a principal is asked to authenticate with
 * {@link HttpServletRequest#authenticate}, which makes the container check the credentials the
 * request carries or answer with its own challenge (BASIC: 401 with
 * {@code WWW-Authenticate: Basic realm=...}, whose body the application's error page writes as
 * problem+json).
 *
 * <p>Hazard: a container with no login mechanism for the application (no {@code login-config} on
 * Jetty, no authenticator valve on Tomcat) cannot authenticate anyone. Tomcat then says yes with no
 * principal; Jetty throws. Either is logged at ERROR, once, and the request is answered 500, never
 * let in.
 */
final class ContainerAuthenticator implements Authenticator {
    private static final System.Logger LOG = System.getLogger(ContainerAuthenticator.class.getName());
    /** The container role of admins. */
    static final String ADMIN_ROLE = "asyncreply-admin";
    /** The container role of viewers. */
    static final String VIEWER_ROLE = "asyncreply-viewer";
    private static final String NO_MECHANISM = "asyncreply.auth=container, but the container has no login mechanism "
            + "for this application, so it cannot authenticate anyone and every request is refused; configure one "
            + "(Tomcat: an authenticator valve and a realm; Jetty: a login-config and a login service), see "
            + "docs/security.md";

    private final AtomicBoolean warned = new AtomicBoolean();

    @Override
    public Found identify(HttpServletRequest request) {
        Principal p = request.getUserPrincipal();
        if (p == null || p.getName() == null) {
            return new Missing();
        }
        String name = p.getName();
        if (name.isEmpty() || name.length() > KeyLine.MAX_OWNER_LENGTH) {
            return new Invalid("The authenticated name cannot own tasks: it must have 1 to "
                    + KeyLine.MAX_OWNER_LENGTH + " characters.");
        }
        Caller.Role role = request.isUserInRole(ADMIN_ROLE) ? Caller.Role.ADMIN
                : request.isUserInRole(VIEWER_ROLE) ? Caller.Role.VIEWER : Caller.Role.USER;
        return new Known(Caller.of(name, role));
    }

    @Override
    public Caller challenge(HttpServletRequest request, HttpServletResponse response, Found found)
            throws IOException, ServletException {
        if (found instanceof Invalid invalid) {
            AuthProblems.forbidden(invalid.detail()).writeTo(response);
            return null;
        }
        boolean authenticated;
        try {
            authenticated = request.authenticate(response);
        } catch (ServletException e) { // Jetty, when the application has no authenticator
            misconfigured();
            if (!response.isCommitted()) {
                response.reset();
                AuthProblems.notConfigured().writeTo(response);
            }
            return null;
        }
        if (authenticated) {
            Found now = identify(request);
            if (now instanceof Known k) {
                return k.caller();
            }
            if (now instanceof Invalid invalid) {
                AuthProblems.forbidden(invalid.detail()).writeTo(response);
                return null;
            }
            misconfigured();
            AuthProblems.notConfigured().writeTo(response);
            return null;
        }
        // The container answered: its challenge, or a redirect to its login page.
        if (response.getStatus() == 401 && !response.containsHeader("WWW-Authenticate")) {
            misconfigured();
        }
        return null;
    }

    private void misconfigured() {
        if (warned.compareAndSet(false, true)) {
            LOG.log(Level.ERROR, NO_MECHANISM);
        }
    }
}
