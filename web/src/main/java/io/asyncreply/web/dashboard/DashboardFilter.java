package io.asyncreply.web.dashboard;

import io.asyncreply.web.auth.BrowserPages;
import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.http.Responses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * In front of everything under {@code /dashboard} (pages and {@code /dashboard/api}), after the
 * authentication filter: hardens every response ({@link SecurityHeaders}), lets only operators in
 * ({@link Caller#isOperator()}: admins and viewers; anyone else gets {@code 403} problem+json), and
 * refuses a state-changing request that a browser may have sent from another site
 * ({@link CrossSite}). Which operator may act is the resources' decision.
 *
 * <p>The one request without a caller that goes on is one for a {@linkplain BrowserPages static
 * file}, which the authentication filter lets through without credentials under
 * {@code asyncreply.auth=apikey}: those files hold no data. Any other request without a caller
 * (a public path of the operator's choosing) is refused like a non-operator.
 */
public final class DashboardFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        SecurityHeaders.apply(res);
        Optional<Caller> caller = Caller.find(req);
        if (caller.isEmpty() && BrowserPages.isStaticFile(req)) {
            chain.doFilter(req, res); // a static file, public (apikey): no data, no action
            return;
        }
        if (caller.isEmpty() || !caller.get().isOperator()) {
            Responses.problem(403, "forbidden", "Forbidden",
                    "The dashboard is for the admin and viewer roles.", false).writeTo(res);
            return;
        }
        String refused = CrossSite.refusal(req);
        if (refused != null) {
            Responses.problem(403, "cross-site-request", "Forbidden", refused, false).writeTo(res);
            return;
        }
        chain.doFilter(req, res);
    }
}
