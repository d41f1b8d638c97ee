package io.asyncreply.handlers;

import io.asyncreply.internal.json.Json;
import io.asyncreply.internal.json.JsonException;
import io.asyncreply.task.InputFormat;
import io.asyncreply.task.InvalidPayloadException;
import io.asyncreply.task.TaskContext;
import io.asyncreply.task.TaskHandler;
import io.asyncreply.task.TaskResult;
import java.math.BigDecimal;
import java.util.Map;

/**
 * {@code sleep}: payload {@code {"ms": N}} with an optional {@code "fail": "message"}. Waits N
 * milliseconds (reporting progress, stopping early when cancelled), then returns
 * {@code {"sleptMs": N}} or fails with the message.
 */
public final class SleepHandler implements TaskHandler {
    /** Longest sleep accepted: one day. */
    public static final long MAX_MS = 86_400_000L;

    private record Args(long ms, String fail) {
    }

    @Override
    public String type() {
        return "sleep";
    }

    @Override
    public InputFormat input() {
        return InputFormat.JSON;
    }

    @Override
    public void validate(byte[] payload) throws InvalidPayloadException {
        args(payload);
    }

    @Override
    public TaskResult handle(TaskContext context) throws Exception {
        Args a = args(context.payload());
        long deadline = System.nanoTime() + a.ms() * 1_000_000L;
        long step = Math.max(10, a.ms() / 100);
        int lastPercent = 0;
        while (true) {
            long leftNanos = deadline - System.nanoTime();
            if (leftNanos <= 0) {
                break;
            }
            Thread.sleep(Math.min(step, Math.max(1, leftNanos / 1_000_000L))); // interrupted on cancel
            if (a.ms() > 0) {
                int percent = (int) Math.min(99, 100 - Math.max(0, deadline - System.nanoTime()) / 10_000L / a.ms());
                if (percent > lastPercent) {
                    context.progress(percent);
                    lastPercent = percent;
                }
            }
        }
        if (a.fail() != null) {
            throw new SleepFailedException(a.fail());
        }
        context.progress(100);
        return TaskResult.json("{\"sleptMs\":" + a.ms() + "}");
    }

    private static Args args(byte[] payload) throws InvalidPayloadException {
        Object parsed;
        try {
            parsed = Json.parse(payload);
        } catch (JsonException e) {
            throw new InvalidPayloadException("The payload cannot be read as JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new InvalidPayloadException("The payload must be a JSON object {\"ms\": N}.");
        }
        Object ms = map.get("ms");
        if (ms == null) {
            throw new InvalidPayloadException("\"ms\" is missing: the payload must be {\"ms\": N}.");
        }
        if (!(ms instanceof BigDecimal n)) {
            throw new InvalidPayloadException("\"ms\" must be a whole number of milliseconds.");
        }
        // The range first: 1e30 is a whole number, only far too large (longValueExact would call it
        // inexact). Within the range, longValueExact refuses fractions, and cheaply.
        if (n.signum() < 0 || n.compareTo(BigDecimal.valueOf(MAX_MS)) > 0) {
            throw new InvalidPayloadException("\"ms\" must be between 0 and " + MAX_MS + ".");
        }
        long value;
        try {
            value = n.longValueExact();
        } catch (ArithmeticException e) {
            throw new InvalidPayloadException("\"ms\" must be a whole number of milliseconds.");
        }
        Object fail = map.get("fail");
        if (fail != null && (!(fail instanceof String f) || f.isBlank())) {
            throw new InvalidPayloadException("\"fail\" must be a non-empty string.");
        }
        return new Args(value, (String) fail);
    }

    /** The failure the payload asked for. */
    static final class SleepFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        SleepFailedException(String message) {
            super(message, null, false, false);
        }
    }
}
