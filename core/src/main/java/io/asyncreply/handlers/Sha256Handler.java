package io.asyncreply.handlers;

import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.security.MessageDigest;
import java.util.HexFormat;

/** {@code sha256}: the result is {@code {"sha256": "<lowercase hex>"}} of the payload. */
public final class Sha256Handler implements TaskHandler {
    @Override
    public String type() {
        return "sha256";
    }

    @Override
    public TaskResult handle(TaskContext context) throws Exception {
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(context.payload());
        return TaskResult.json("{\"sha256\":\"" + HexFormat.of().formatHex(hash) + "\"}");
    }
}
