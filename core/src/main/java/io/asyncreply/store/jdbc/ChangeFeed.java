package io.asyncreply.store.jdbc;

import io.asyncreply.store.StoreEvents;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The seam for cross-node events: the store calls it after each change other nodes may care about,
 * on the connection that made the change (after its commit), and hands it the service's
 * {@link StoreEvents} on {@link io.asyncreply.store.TaskStore#listen}. Implementations:
 * {@link #NONE} (H2, or PostgreSQL with the feed turned off) and {@link PgChangeFeed}, which sends
 * {@code pg_notify} here and runs a listening connection that calls the {@link StoreEvents}.
 *
 * <p>Hazards: methods run on the caller's thread (the writer thread for {@link #queued}); they must
 * not block. A failure is logged by the store and otherwise ignored: events are wake-ups, and
 * polling covers a lost one.
 */
interface ChangeFeed extends AutoCloseable {
    /** A feed that tells nobody. */
    ChangeFeed NONE = new ChangeFeed() {
    };

    /** Subscribes the service; a later call replaces the subscriber. */
    default void start(StoreEvents events) {
    }

    /** Tasks were queued (inserted, re-queued or recovered). */
    default void queued(Connection c) throws SQLException {
    }

    /** Task {@code id} reached a terminal state. */
    default void finished(Connection c, String id) throws SQLException {
    }

    /** A cancel was requested for running task {@code id}. */
    default void cancelRequested(Connection c, String id) throws SQLException {
    }

    @Override
    default void close() {
    }
}
