package io.asyncreply.web.dashboard;

import io.asyncreply.web.auth.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /dashboard/api/session}: who the pages are shown to, so that they offer only what the
 * caller may do (the API checks again on every action).
 */
@Path("dashboard/api/session")
public final class SessionResource {
    @GET
    public Response session(@Context HttpServletRequest request) {
        Caller c = Caller.of(request);
        return Answers.json(200, DashboardJson.of(g -> {
            g.writeStartObject();
            g.writeStringField("role", c.role().name());
            g.writeStringField("owner", c.owner());
            g.writeBooleanField("authenticated", c.authenticated());
            g.writeBooleanField("mayAct", c.isAdmin());
            g.writeEndObject();
        }));
    }
}
