package io.asyncreply.handlers;

import io.asyncreply.task.TaskHandler;
import java.util.List;

/** The built-in task types of the HTTP contract: {@code echo}, {@code sleep}, {@code sha256}. */
public final class Builtins {
    private Builtins() {
    }

    /** New instances of all built-in handlers. */
    public static List<TaskHandler> all() {
        return List.of(new EchoHandler(), new SleepHandler(), new Sha256Handler());
    }
}
