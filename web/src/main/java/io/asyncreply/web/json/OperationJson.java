package io.asyncreply.web.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.asyncreply.task.Task;
import io.asyncreply.task.TaskStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A task as a long-running operation, in the shape generic LRO clients poll (the Azure REST API
 * guidelines' operation resource): {@code {"id", "status", "error", "resourceLocation"}}.
 *
 * <p>{@code status}: {@code NotStarted} (QUEUED), {@code Running}, {@code Succeeded},
 * {@code Failed}, {@code Canceled}. {@code error} ({@code {"code", "message"}}) only when failed;
 * {@code resourceLocation}, the absolute URL of the raw result, only when succeeded.
 */
public final class OperationJson {
    private OperationJson() {
    }

    /** {@code resultLocation}: the absolute URL of the task's result (used when it succeeded). */
    public static byte[] operation(Task t, String resultLocation) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = TaskJson.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", t.id());
            g.writeStringField("status", status(t.status()));
            if (t.status() == TaskStatus.FAILED && t.error() != null) {
                g.writeObjectFieldStart("error");
                g.writeStringField("code", t.error().code());
                g.writeStringField("message", t.error().message());
                g.writeEndObject();
            }
            if (t.status() == TaskStatus.SUCCEEDED) {
                g.writeStringField("resourceLocation", resultLocation);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The operation status word for a task status. */
    public static String status(TaskStatus s) {
        return switch (s) {
            case QUEUED -> "NotStarted";
            case RUNNING -> "Running";
            case SUCCEEDED -> "Succeeded";
            case FAILED -> "Failed";
            case CANCELLED -> "Canceled";
        };
    }
}
