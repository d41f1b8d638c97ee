package io.asyncreply.store;

import java.util.Objects;

/**
 * What the store knows of one task type across every node: whether it is paused, and how many of
 * its tasks wait and run.
 *
 * @param type the type
 * @param paused whether claims of it are paused (tasks are accepted, none starts)
 * @param queued its tasks waiting
 * @param running its tasks running
 */
public record TypeState(String type, boolean paused, long queued, long running) {
    public TypeState {
        Objects.requireNonNull(type, "type");
    }
}
