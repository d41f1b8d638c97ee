package io.asyncreply.store.jdbc;

import io.asyncreply.task.Task;
import io.asyncreply.task.TaskEvent;
import io.asyncreply.webhooks.WebhookEvents;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The webhook outbox as the task store writes it: one delivery row per terminal event for the
 * task's callback and one per active subscription of the task's owner that wants the event, in the
 * transaction that records the event.
 *
 * <p>PostgreSQL: {@link #pgCte} is a part of {@link PgApply}'s one statement, fed by its UPDATE's
 * and event INSERT's {@code RETURNING}. H2: {@link #writeH2} runs two batched
 * {@code INSERT ... SELECT}s after the events are inserted, before the commit.
 *
 * <p>A delivery's id (its {@code webhook-id}) is a random UUID the database makes, so one
 * statement can insert a row per matching subscription.
 */
final class Outbox {
    static final String COLUMNS = "id, subscription_id, url, task_id, event_seq, event, owner, traceparent, state, "
            + "attempts, next_at, created_at";
    /** The event names delivered, as an SQL list. */
    static final String DELIVERED = "('succeeded', 'failed', 'cancelled')";

    private final String callbackH2;
    private final String subscribedH2;

    Outbox(Dialect d) {
        // 1 seq, 2 event, 3 next_at, 4 created_at, 5 task id
        this.callbackH2 = "INSERT INTO " + d.deliveries + " (" + COLUMNS + ") SELECT CAST(RANDOM_UUID() AS VARCHAR), "
                + "NULL, t.callback_url, t.id, ?, ?, t.owner, t.traceparent, 'PENDING', 0, ?, ? FROM " + d.tasks
                + " t WHERE t.id = ? AND t.callback_url IS NOT NULL";
        // 1 task id, 2 seq, 3 event, 4 traceparent, 5 next_at, 6 created_at, 7 owner, 8 ',type,', 9 ',event,'
        this.subscribedH2 = "INSERT INTO " + d.deliveries + " (" + COLUMNS + ") SELECT CAST(RANDOM_UUID() AS VARCHAR), "
                + "s.id, s.url, ?, ?, ?, s.owner, ?, 'PENDING', 0, ?, ? FROM " + d.webhooks + " s WHERE s.owner = ? "
                + "AND s.disabled_at IS NULL AND (s.types = '' OR LOCATE(?, s.types) > 0) AND LOCATE(?, s.events) > 0";
    }

    /**
     * PostgreSQL: the common table expression that inserts the deliveries of the rows {@code u}
     * (the UPDATE's RETURNING: id, type, owner, traceparent, callback_url) changed, whose events
     * {@code e} (RETURNING seq, task_id) recorded, at {@code madeAt} (an SQL expression over {@code v}).
     */
    static String pgCte(Dialect d, String madeAt) {
        String from = " FROM u JOIN v ON v.id = u.id JOIN e ON e.task_id = u.id";
        return "o AS (INSERT INTO " + d.deliveries + " (" + COLUMNS + ") "
                + "SELECT gen_random_uuid()::text, NULL, u.callback_url, u.id, e.seq, v.kind, u.owner, u.traceparent, "
                + "'PENDING', 0, " + madeAt + ", " + madeAt + from
                + " WHERE v.kind IN " + DELIVERED + " AND u.callback_url IS NOT NULL "
                + "UNION ALL SELECT gen_random_uuid()::text, s.id, s.url, u.id, e.seq, v.kind, u.owner, u.traceparent, "
                + "'PENDING', 0, " + madeAt + ", " + madeAt + from + " JOIN " + d.webhooks + " s ON s.owner = u.owner "
                + "AND s.disabled_at IS NULL AND (s.types = '' OR strpos(s.types, ',' || u.type || ',') > 0) "
                + "AND strpos(s.events, ',' || v.kind || ',') > 0 WHERE v.kind IN " + DELIVERED + ")";
    }

    /** One event of an H2 transaction: its kind, the task after it, its id, its time. */
    record Item(TaskEvent.Kind kind, Task task, long seq, Instant at) {
    }

    /** H2: the deliveries of the terminal events among {@code items}, in the caller's transaction. */
    void writeH2(Connection c, List<Item> items) throws SQLException {
        boolean any = false;
        for (Item i : items) {
            any |= WebhookEvents.delivered(i.kind());
        }
        if (!any) {
            return;
        }
        try (PreparedStatement cb = c.prepareStatement(callbackH2); PreparedStatement sub = c.prepareStatement(subscribedH2)) {
            for (Item i : items) {
                if (!WebhookEvents.delivered(i.kind())) {
                    continue;
                }
                String event = i.kind().wireName();
                Task t = i.task();
                cb.setLong(1, i.seq());
                cb.setString(2, event);
                Sql.setInstant(cb, 3, i.at());
                Sql.setInstant(cb, 4, i.at());
                cb.setString(5, t.id());
                cb.addBatch();
                sub.setString(1, t.id());
                sub.setLong(2, i.seq());
                sub.setString(3, event);
                Sql.setString(sub, 4, t.traceparent());
                Sql.setInstant(sub, 5, i.at());
                Sql.setInstant(sub, 6, i.at());
                sub.setString(7, Rows.storedOwner(t));
                sub.setString(8, "," + t.type() + ",");
                sub.setString(9, "," + event + ",");
                sub.addBatch();
            }
            cb.executeBatch();
            sub.executeBatch();
        }
    }
}
