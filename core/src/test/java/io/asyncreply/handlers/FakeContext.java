package io.asyncreply.handlers;

import io.asyncreply.task.TaskContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A TaskContext for calling a handler directly, without a service. */
final class FakeContext implements TaskContext {
    private final byte[] payload;
    private final String contentType;
    final List<Integer> progress = new CopyOnWriteArrayList<>();

    FakeContext(byte[] payload, String contentType) {
        this.payload = payload;
        this.contentType = contentType;
    }

    @Override
    public String taskId() {
        return "AAAAAAAAAAAAAAAAAAAAAA";
    }

    @Override
    public String type() {
        return "test";
    }

    @Override
    public byte[] payload() {
        return payload;
    }

    @Override
    public String contentType() {
        return contentType;
    }

    @Override
    public int attempt() {
        return 1;
    }

    @Override
    public boolean isCancelled() {
        return Thread.currentThread().isInterrupted();
    }

    @Override
    public void progress(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("progress " + percent);
        }
        progress.add(percent);
    }
}
