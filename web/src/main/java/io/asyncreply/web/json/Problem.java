package io.asyncreply.web.json;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An RFC 9457 problem: {@code type}, {@code title}, {@code status}, {@code detail}. The detail is
 * written for the client; it never carries a stack trace or internals.
 */
public record Problem(int status, String slug, String title, String detail) {
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "urn:asyncreply:problem:";

    public static Problem notFound(String detail) {
        return new Problem(404, "not-found", "Not Found", detail);
    }

    public static Problem badRequest(String slug, String detail) {
        return new Problem(400, slug, "Bad Request", detail);
    }

    /** 403 {@code forbidden}: the caller is known and may not do this (a viewer acting, a user on the admin API). */
    public static Problem forbidden(String detail) {
        return new Problem(403, "forbidden", "Forbidden", detail);
    }

    public String type() {
        return TYPE_PREFIX + slug;
    }

    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = TaskJson.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", type());
            g.writeStringField("title", title);
            g.writeNumberField("status", status);
            g.writeStringField("detail", detail);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
