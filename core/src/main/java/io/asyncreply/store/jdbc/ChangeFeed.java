package io.asyncreply.store.jdbc;

import io.asyncreply.store.StoreEvents;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The seam for cross-node wake-ups: the store calls {@link #announce} inside the transaction of
 * the changes other nodes may care about, just before its commit (so that nothing is announced
 * for a transaction that rolls back, and the announcement costs no extra transaction), and hands
 * the service's {@link StoreEvents} on {@link io.asyncreply.store.TaskStore#listen}.
 * Implementations: {@link #NONE} (H2, or PostgreSQL with the feed turned off) and
 * {@link PgChangeFeed} ({@code pg_notify}, and a listening connection that calls the
 * {@link StoreEvents}).
 *
 * <p>Hazards: announcements are wake-ups, not data: receivers read the store. They must not block.
 */
interface ChangeFeed extends AutoCloseable {
    /** A feed that tells nobody. */
    ChangeFeed NONE = new ChangeFeed() {
    };

    /** Subscribes the service; a later call replaces the subscriber. */
    default void start(StoreEvents events) {
    }

    /**
     * Announces, on {@code c} inside its transaction: events were appended ({@code events}), tasks
     * became ready ({@code queued}), cancels were requested for running tasks ({@code cancels}).
     */
    default void announce(Connection c, boolean events, boolean queued, List<String> cancels) throws SQLException {
    }

    /**
     * The channel to notify about appended events from inside a statement (PostgreSQL), or null when
     * nobody else listens (no feed, or no other node alive).
     */
    default String eventsChannel() {
        return null;
    }

    /**
     * The node registry, read after {@code askedAtNanos} ({@link System#nanoTime()}), says whether
     * other nodes are alive; while none is, nothing need be announced.
     */
    default void otherNodes(boolean alive, long askedAtNanos) {
    }

    @Override
    default void close() {
    }
}
