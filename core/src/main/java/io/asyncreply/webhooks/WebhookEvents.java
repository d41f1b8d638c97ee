package io.asyncreply.webhooks;

import io.asyncreply.task.TaskEvent;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The event names a webhook delivers: the terminal ones, {@code succeeded}, {@code failed} and
 * {@code cancelled}. A terminal task never changes, so the task a delivery carries is the same
 * whenever (and however often) it is sent. The body's {@code type} is {@code task.} + the name.
 */
public final class WebhookEvents {
    /** Every name a subscription may ask for, in the order of the contract. */
    public static final List<String> NAMES = List.of("succeeded", "failed", "cancelled");

    private WebhookEvents() {
    }

    /** Whether events of {@code kind} are delivered by webhooks. */
    public static boolean delivered(TaskEvent.Kind kind) {
        return kind == TaskEvent.Kind.SUCCEEDED || kind == TaskEvent.Kind.FAILED || kind == TaskEvent.Kind.CANCELLED;
    }

    /** Whether {@code name} is one of {@link #NAMES}. */
    public static boolean known(String name) {
        return NAMES.contains(name);
    }

    /** The body's {@code type} of an event named {@code name}: {@code task.succeeded}, ... */
    public static String bodyType(String name) {
        return "task." + name;
    }

    /**
     * A set as stored: {@code ,a,b,} (each name between commas, so that a membership test is a
     * substring search for {@code ,name,}); {@code ""} for the empty set.
     */
    public static String encode(Set<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        return "," + String.join(",", names) + ",";
    }

    /** The set {@link #encode} stored. */
    public static Set<String> decode(String stored) {
        Set<String> out = new LinkedHashSet<>();
        if (stored != null) {
            for (String s : stored.split(",")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }
}
