package io.asyncreply.web.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.asyncreply.webhooks.Delivery;
import io.asyncreply.webhooks.WebhookEvents;
import io.asyncreply.webhooks.WebhookSubscription;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * The JSON of {@code /webhooks}: a subscription ({@code id, url, types, events, active, createdAt},
 * {@code disabledAt} once a 410 disabled it, {@code owner} for operators, and {@code secret} only in
 * the answer that created it), lists of them, and the delivery log.
 */
public final class WebhookJson {
    private WebhookJson() {
    }

    /** One subscription; {@code secret} is shown when not null (the creation's answer only). */
    public static byte[] subscription(WebhookSubscription s, String secret, boolean showOwner) {
        return write(g -> subscription(g, s, secret, showOwner));
    }

    public static byte[] subscriptions(List<WebhookSubscription> all, boolean showOwner) {
        return write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("items");
            for (WebhookSubscription s : all) {
                subscription(g, s, null, showOwner);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void subscription(JsonGenerator g, WebhookSubscription s, String secret, boolean showOwner)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("id", s.id());
        g.writeStringField("url", s.url());
        g.writeArrayFieldStart("types");
        for (String t : s.types().stream().sorted().toList()) {
            g.writeString(t);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("events");
        for (String e : WebhookEvents.NAMES) {
            if (s.events().contains(e)) {
                g.writeString(e);
            }
        }
        g.writeEndArray();
        g.writeBooleanField("active", s.active());
        time(g, "createdAt", s.createdAt());
        if (s.disabledAt() != null) {
            time(g, "disabledAt", s.disabledAt());
        }
        if (showOwner && s.owner() != null) {
            g.writeStringField("owner", s.owner());
        }
        if (secret != null) {
            g.writeStringField("secret", secret);
        }
        g.writeEndObject();
    }

    /** The delivery log: {@code {"items": [...]}}, newest first. */
    public static byte[] deliveries(List<Delivery> all) {
        return write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("items");
            for (Delivery d : all) {
                delivery(g, d);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    public static byte[] delivery(Delivery d) {
        return write(g -> delivery(g, d));
    }

    private static void delivery(JsonGenerator g, Delivery d) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", d.id());
        g.writeStringField("event", d.event());
        g.writeStringField("taskId", d.taskId());
        g.writeStringField("eventId", Long.toString(d.eventId()));
        g.writeStringField("state", d.state().name());
        g.writeNumberField("attempts", d.attempts());
        if (d.lastStatus() == null) {
            g.writeNullField("lastStatus");
        } else {
            g.writeNumberField("lastStatus", d.lastStatus());
        }
        if (d.lastError() == null) {
            g.writeNullField("lastError");
        } else {
            g.writeStringField("lastError", d.lastError());
        }
        if (d.nextAt() == null) {
            g.writeNullField("nextTry");
        } else {
            time(g, "nextTry", d.nextAt());
        }
        time(g, "createdAt", d.createdAt());
        if (d.finishedAt() != null) {
            time(g, "finishedAt", d.finishedAt());
        }
        g.writeEndObject();
    }

    private static void time(JsonGenerator g, String name, Instant at) throws IOException {
        g.writeStringField(name, TaskJson.time(at));
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = TaskJson.FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
