package io.asyncreply.web.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.asyncreply.task.TypeInfo;
import io.asyncreply.web.auth.Caller;
import io.asyncreply.web.boot.App;
import io.asyncreply.web.http.Links;
import io.asyncreply.web.json.Problem;
import io.asyncreply.web.json.WebhookJson;
import io.asyncreply.web.webhooks.Webhooks;
import io.asyncreply.webhooks.Delivery;
import io.asyncreply.webhooks.WebhookEvents;
import io.asyncreply.webhooks.WebhookStore;
import io.asyncreply.webhooks.WebhookSubscription;
import io.asyncreply.webhooks.delivery.AddressPolicy;
import io.asyncreply.webhooks.delivery.Secrets;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * {@code /webhooks}: subscriptions to the terminal events of the caller's tasks, and their delivery
 * logs. A subscription belongs to the owner who created it and hears only that owner's tasks;
 * users see and change their own, viewers see every owner's, admins see and change every owner's;
 * another owner's subscription is 404. The secret is in the answer that created it, never again.
 *
 * <p>Validation (400 {@code invalid-webhook}, problem+json): a JSON object with {@code url} (http
 * or https, a host that the allow-list admits: checked on the addresses it resolves to now, and
 * again at every delivery), {@code types} (task types some live node serves; empty or absent for
 * every type) and {@code events} (some of {@code succeeded}, {@code failed}, {@code cancelled};
 * absent for all three).
 */
@Path("webhooks")
public final class WebhooksResource {
    /** Largest request body of {@code POST /webhooks}. */
    static final int MAX_BODY = 16 * 1024;
    /** Most subscriptions listed, and most deliveries in a log. */
    static final int MAX_LISTED = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final App app;

    WebhooksResource(App app) {
        this.app = app;
    }

    private Webhooks webhooks() {
        return app.webhooks();
    }

    private Optional<WebhookStore> store() {
        return Optional.ofNullable(webhooks().store());
    }

    private static Response unavailable() {
        return ProblemMappers.response(new Problem(503, "webhooks-unavailable", "Service Unavailable",
                "This server's task store keeps no webhooks."));
    }

    private static Response invalid(String detail) {
        return TaskResource.bad("invalid-webhook", detail);
    }

    private static Response unknown(String id) {
        return ProblemMappers.response(Problem.notFound("There is no webhook subscription with id '" + id + "'."));
    }

    private static Response json(int status, byte[] body) {
        return Response.status(status).type("application/json").cacheControl(TaskResource.NO_STORE).entity(body).build();
    }

    @POST
    public Response create(byte[] body, @Context HttpServletRequest servlet) {
        Caller caller = Caller.of(servlet);
        if (!caller.mayAct()) {
            return TaskResource.forbidden("A viewer may read webhook subscriptions but not create them.");
        }
        WebhookStore store = webhooks().store();
        if (store == null) {
            return unavailable();
        }
        if (body == null || body.length == 0 || body.length > MAX_BODY) {
            return invalid("The body must be a JSON object of at most " + MAX_BODY + " bytes: "
                    + "{\"url\": \"https://...\", \"types\": [...], \"events\": [...]}.");
        }
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (JsonParseException e) {
            n = null;
        } catch (IOException e) {
            n = null;
        }
        if (n == null || !n.isObject()) {
            return invalid("The body must be a JSON object: {\"url\": \"https://...\", \"types\": [...], "
                    + "\"events\": [...]}.");
        }
        JsonNode url = n.get("url");
        if (url == null || !url.isTextual()) {
            return invalid("'url' must be a string: the http or https URL to deliver to.");
        }
        String u = url.asText().strip();
        String form = AddressPolicy.formProblem(u);
        if (form != null || u.length() > 2048) {
            return invalid("'url' " + (form != null ? form : "must be at most 2048 characters") + ".");
        }
        String refused = webhooks().refusal(u);
        if (refused != null) {
            return invalid("'url' is refused: " + refused);
        }
        Set<String> types = new TreeSet<>();
        JsonNode t = n.get("types");
        if (t != null && !t.isNull()) {
            if (!t.isArray()) {
                return invalid("'types' must be an array of task type names.");
            }
            Set<String> served = servedTypes();
            for (JsonNode x : t) {
                if (!x.isTextual() || !served.contains(x.asText())) {
                    return invalid("'types' names a task type no node serves: " + x + ". Known types: " + served + ".");
                }
                types.add(x.asText());
            }
        }
        Set<String> events = new LinkedHashSet<>();
        JsonNode e = n.get("events");
        if (e == null || e.isNull()) {
            events.addAll(WebhookEvents.NAMES);
        } else {
            if (!e.isArray() || e.size() == 0) {
                return invalid("'events' must be a non-empty array of " + WebhookEvents.NAMES + ".");
            }
            for (JsonNode x : e) {
                if (!x.isTextual() || !WebhookEvents.known(x.asText())) {
                    return invalid("'events' names an unknown event: " + x + ". Webhooks deliver "
                            + WebhookEvents.NAMES + ".");
                }
                events.add(x.asText());
            }
        }
        String secret = Secrets.generate();
        WebhookSubscription s = new WebhookSubscription(UUID.randomUUID().toString(), caller.owner(), u, types, events,
                Instant.now(), null);
        store.create(s, secret);
        String location = Links.of(servlet, app.config().trustedProxies()).absolute("/webhooks/" + s.id());
        return Response.status(201).type("application/json").cacheControl(TaskResource.NO_STORE)
                .header("Location", location).entity(WebhookJson.subscription(s, secret, caller.isOperator())).build();
    }

    private Set<String> servedTypes() {
        Set<String> out = new TreeSet<>(app.service().types());
        for (TypeInfo i : app.service().typeInfos()) {
            if (!i.nodes().isEmpty()) {
                out.add(i.type());
            }
        }
        return out;
    }

    @GET
    public Response list(@Context HttpServletRequest servlet) {
        Caller caller = Caller.of(servlet);
        return store().map(s -> json(200, WebhookJson.subscriptions(s.subscriptions(caller.readScope(), MAX_LISTED),
                caller.isOperator()))).orElseGet(WebhooksResource::unavailable);
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id, @Context HttpServletRequest servlet) {
        Caller caller = Caller.of(servlet);
        if (store().isEmpty()) {
            return unavailable();
        }
        return store().get().subscription(id, caller.readScope())
                .map(s -> json(200, WebhookJson.subscription(s, null, caller.isOperator())))
                .orElseGet(() -> unknown(id));
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id, @Context HttpServletRequest servlet) {
        Caller caller = Caller.of(servlet);
        if (!caller.mayAct()) {
            return TaskResource.forbidden("A viewer may read webhook subscriptions but not delete them.");
        }
        if (store().isEmpty()) {
            return unavailable();
        }
        return store().get().delete(id, caller.actScope()) ? Response.noContent().build() : unknown(id);
    }

    @GET
    @Path("{id}/deliveries")
    public Response deliveries(@PathParam("id") String id, @QueryParam("limit") String limit,
            @Context HttpServletRequest servlet) {
        Caller caller = Caller.of(servlet);
        if (store().isEmpty()) {
            return unavailable();
        }
        int n = 100;
        if (limit != null) {
            try {
                n = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_LISTED) {
                return TaskResource.bad("invalid-limit", "'limit' must be a whole number from 1 to " + MAX_LISTED + ".");
            }
        }
        WebhookStore s = store().get();
        if (s.subscription(id, caller.readScope()).isEmpty()) {
            return unknown(id);
        }
        List<Delivery> log = s.deliveries(id, n);
        return json(200, WebhookJson.deliveries(log));
    }

    @POST
    @Path("{id}/deliveries/{deliveryId}/retry")
    public Response retry(@PathParam("id") String id, @PathParam("deliveryId") String deliveryId,
            @Context HttpServletRequest servlet) {
        Caller caller = Caller.of(servlet);
        if (!caller.mayAct()) {
            return TaskResource.forbidden("A viewer may read webhook deliveries but not retry them.");
        }
        if (store().isEmpty()) {
            return unavailable();
        }
        WebhookStore s = store().get();
        if (s.subscription(id, caller.actScope()).isEmpty()) {
            return unknown(id);
        }
        if (s.delivery(id, deliveryId).isEmpty()) {
            return ProblemMappers.response(Problem.notFound("Webhook subscription '" + id
                    + "' has no delivery with id '" + deliveryId + "'."));
        }
        if (!s.retry(id, deliveryId, Instant.now())) {
            return ProblemMappers.response(new Problem(409, "not-retryable", "Conflict", "The delivery is not over "
                    + "yet (pending or being sent): it will be tried anyway."));
        }
        webhooks().wake();
        return json(202, WebhookJson.delivery(s.delivery(id, deliveryId).orElseThrow()));
    }
}
