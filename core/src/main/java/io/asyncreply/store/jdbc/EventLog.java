package io.asyncreply.store.jdbc;

import io.asyncreply.store.EventCursor;
import io.asyncreply.store.EventPage;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * How one database numbers and hands out the event log (see {@link io.asyncreply.store.TaskStore}):
 * the ids of new events, the head, and reading in order without ever skipping an event whose
 * transaction commits after a later one's.
 *
 * <p>Implementations: {@link H2EventLog} (the store numbers events itself, in this process) and
 * {@link PgEventLog} (a sequence numbers them; readers wait out gaps).
 */
interface EventLog {
    /**
     * Ids for {@code n} events about to be inserted in the current transaction, which has already
     * written (and so locked) the rows they are about: the first of {@code n} consecutive ids, or 0
     * when the database assigns them. Every call must be followed by {@link #end} with the same
     * value once the transaction has committed or rolled back.
     */
    long begin(int n);

    /** The transaction that took ids from {@code first} (a value {@link #begin} returned) has ended. */
    void end(long first);

    /** A cursor after the newest event a reader may have now. */
    EventCursor head(Connection c) throws SQLException;

    /** Up to {@code limit} events after {@code cursor}. */
    EventPage read(Connection c, EventCursor cursor, int limit) throws SQLException;
}
