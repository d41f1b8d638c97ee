package io.asyncreply.store.jdbc;

import io.asyncreply.webhooks.AttemptOutcome;
import io.asyncreply.webhooks.Delivery;
import io.asyncreply.webhooks.DeliveryState;
import io.asyncreply.webhooks.WebhookEvents;
import io.asyncreply.webhooks.WebhookStore;
import io.asyncreply.webhooks.WebhookSubscription;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The webhook subscriptions and outbox of a {@link JdbcTaskStore}, in its database next to its
 * tasks (tables {@code <prefix>webhooks} and {@code <prefix>webhook_deliveries}, schema version 5).
 * Deliveries are inserted by the task store's own transactions ({@link Outbox}); this class reads
 * and changes them afterwards, one auto-committed statement per change.
 *
 * <p>Claims: on PostgreSQL one statement selects due rows {@code FOR UPDATE SKIP LOCKED} and sets
 * their lease, so nodes claiming at once take different rows and none waits for another. H2 is
 * embedded in one process: candidates are read, then each is taken by a compare-and-set UPDATE that
 * repeats the due condition, so two dispatchers in the process never take the same row.
 */
public final class JdbcWebhookStore implements WebhookStore {
    private static final String COLS = "id, subscription_id, url, task_id, event_seq, event, owner, traceparent, state, "
            + "attempts, next_at, last_status, last_error, created_at, finished_at, lease_owner, lease_until";
    private static final String SUB_COLS = "id, owner, url, types, events, created_at, disabled_at";
    private static final String DUE = "((state = 'PENDING' AND next_at <= ?) OR (state = 'DELIVERING' AND lease_until < ?))";

    private final DataSource dataSource;
    private final Dialect d;

    JdbcWebhookStore(DataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.d = dialect;
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T run(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw Sql.failure(what, e);
        }
    }

    @Override
    public void create(WebhookSubscription s, String secret) {
        run("could not create a webhook subscription", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + d.webhooks
                    + " (id, owner, url, types, events, secret, created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, s.id());
                ps.setString(2, stored(s.owner()));
                ps.setString(3, s.url());
                ps.setString(4, WebhookEvents.encode(s.types()));
                ps.setString(5, WebhookEvents.encode(s.events()));
                ps.setString(6, secret);
                Sql.setInstant(ps, 7, s.createdAt());
                Sql.setInstant(ps, 8, s.disabledAt());
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static String stored(String owner) {
        return owner == null ? "" : owner;
    }

    @Override
    public List<WebhookSubscription> subscriptions(String owner, int limit) {
        return run("could not list webhook subscriptions", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SUB_COLS + " FROM " + d.webhooks
                    + (owner == null ? "" : " WHERE owner = ?") + " ORDER BY created_at, id LIMIT ?")) {
                int i = 1;
                if (owner != null) {
                    ps.setString(i++, owner);
                }
                ps.setInt(i, limit);
                return subscriptions(ps);
            }
        });
    }

    private static List<WebhookSubscription> subscriptions(PreparedStatement ps) throws SQLException {
        List<WebhookSubscription> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new WebhookSubscription(rs.getString(1), Rows.owner(rs.getString(2)), rs.getString(3),
                        WebhookEvents.decode(rs.getString(4)), WebhookEvents.decode(rs.getString(5)),
                        Sql.getInstant(rs, 6), Sql.getInstant(rs, 7)));
            }
        }
        return out;
    }

    @Override
    public Optional<WebhookSubscription> subscription(String id, String owner) {
        return run("could not read a webhook subscription", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SUB_COLS + " FROM " + d.webhooks + " WHERE id = ?"
                    + (owner == null ? "" : " AND owner = ?"))) {
                ps.setString(1, id);
                if (owner != null) {
                    ps.setString(2, owner);
                }
                return subscriptions(ps).stream().findFirst();
            }
        });
    }

    @Override
    public boolean delete(String id, String owner) {
        return run("could not delete a webhook subscription", c -> {
            c.setAutoCommit(false);
            try {
                int n;
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + d.webhooks + " WHERE id = ?"
                        + (owner == null ? "" : " AND owner = ?"))) {
                    ps.setString(1, id);
                    if (owner != null) {
                        ps.setString(2, owner);
                    }
                    n = ps.executeUpdate();
                }
                if (n > 0) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + d.deliveries
                            + " WHERE subscription_id = ?")) {
                        ps.setString(1, id);
                        ps.executeUpdate();
                    }
                }
                c.commit();
                return n > 0;
            } catch (SQLException | RuntimeException e) {
                Sql.rollbackQuietly(c);
                throw e;
            } finally {
                Sql.autoCommitQuietly(c);
            }
        });
    }

    @Override
    public Optional<String> secret(String subscriptionId) {
        return run("could not read a webhook secret", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT secret FROM " + d.webhooks + " WHERE id = ?")) {
                ps.setString(1, subscriptionId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public boolean disable(String subscriptionId, Instant at) {
        return run("could not disable a webhook subscription", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + d.webhooks
                    + " SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL")) {
                Sql.setInstant(ps, 1, at);
                ps.setString(2, subscriptionId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<Delivery> deliveries(String subscriptionId, int limit) {
        return run("could not list webhook deliveries", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM " + d.deliveries
                    + " WHERE subscription_id = ? ORDER BY created_at DESC, event_seq DESC LIMIT ?")) {
                ps.setString(1, subscriptionId);
                ps.setInt(2, limit);
                return deliveries(ps);
            }
        });
    }

    @Override
    public Optional<Delivery> delivery(String subscriptionId, String deliveryId) {
        return run("could not read a webhook delivery", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM " + d.deliveries
                    + " WHERE id = ? AND subscription_id = ?")) {
                ps.setString(1, deliveryId);
                ps.setString(2, subscriptionId);
                return deliveries(ps).stream().findFirst();
            }
        });
    }

    /** Any delivery by id, a callback's too (tests). */
    public Optional<Delivery> delivery(String deliveryId) {
        return run("could not read a webhook delivery", c -> find(c, deliveryId));
    }

    private Optional<Delivery> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM " + d.deliveries + " WHERE id = ?")) {
            ps.setString(1, id);
            return deliveries(ps).stream().findFirst();
        }
    }

    private static List<Delivery> deliveries(PreparedStatement ps) throws SQLException {
        List<Delivery> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(delivery(rs));
            }
        }
        return out;
    }

    private static Delivery delivery(ResultSet rs) throws SQLException {
        int status = rs.getInt(12);
        Integer lastStatus = rs.wasNull() ? null : status;
        return new Delivery(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                rs.getString(6), Rows.owner(rs.getString(7)), rs.getString(8), DeliveryState.valueOf(rs.getString(9)),
                rs.getInt(10), Sql.getInstant(rs, 11), lastStatus, rs.getString(13), Sql.getInstant(rs, 14),
                Sql.getInstant(rs, 15), rs.getString(16), Sql.getInstant(rs, 17));
    }

    @Override
    public List<Delivery> claim(String node, Instant now, Instant leaseUntil, int max) {
        if (max <= 0) {
            return List.of();
        }
        return run("could not claim webhook deliveries", c -> d.pg ? claimPg(c, node, now, leaseUntil, max)
                : claimH2(c, node, now, leaseUntil, max));
    }

    private List<Delivery> claimPg(Connection c, String node, Instant now, Instant leaseUntil, int max)
            throws SQLException {
        StringBuilder ret = new StringBuilder();
        for (String col : COLS.split(", ")) {
            ret.append(ret.length() == 0 ? "" : ", ").append("w.").append(col);
        }
        try (PreparedStatement ps = c.prepareStatement("WITH c AS (SELECT id FROM " + d.deliveries + " WHERE " + DUE
                + " ORDER BY COALESCE(next_at, lease_until) LIMIT ? FOR UPDATE SKIP LOCKED) UPDATE " + d.deliveries
                + " w SET state = 'DELIVERING', next_at = NULL, lease_owner = ?, lease_until = ? FROM c WHERE w.id = c.id "
                + "RETURNING " + ret)) {
            Sql.setInstant(ps, 1, now);
            Sql.setInstant(ps, 2, now);
            ps.setInt(3, max);
            ps.setString(4, node);
            Sql.setInstant(ps, 5, leaseUntil);
            return deliveries(ps);
        }
    }

    private List<Delivery> claimH2(Connection c, String node, Instant now, Instant leaseUntil, int max)
            throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + d.deliveries + " WHERE " + DUE
                + " ORDER BY COALESCE(next_at, lease_until) LIMIT ?")) {
            Sql.setInstant(ps, 1, now);
            Sql.setInstant(ps, 2, now);
            ps.setInt(3, max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        List<Delivery> out = new ArrayList<>(ids.size());
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + d.deliveries + " SET state = 'DELIVERING', "
                + "next_at = NULL, lease_owner = ?, lease_until = ? WHERE id = ? AND " + DUE)) {
            for (String id : ids) {
                ps.setString(1, node);
                Sql.setInstant(ps, 2, leaseUntil);
                ps.setString(3, id);
                Sql.setInstant(ps, 4, now);
                Sql.setInstant(ps, 5, now);
                if (ps.executeUpdate() == 1) { // else another dispatcher took it between the read and here
                    find(c, id).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    @Override
    public boolean record(String deliveryId, String node, AttemptOutcome o) {
        return run("could not record a webhook delivery", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + d.deliveries + " SET state = ?, "
                    + "attempts = attempts + 1, next_at = ?, last_status = ?, last_error = ?, finished_at = ?, "
                    + "lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'DELIVERING' AND lease_owner = ?")) {
                ps.setString(1, o.state().name());
                Sql.setInstant(ps, 2, o.nextAt());
                if (o.status() == null) {
                    ps.setNull(3, java.sql.Types.INTEGER);
                } else {
                    ps.setInt(3, o.status());
                }
                Sql.setString(ps, 4, o.error());
                Sql.setInstant(ps, 5, o.state().ended() ? o.at() : null);
                ps.setString(6, deliveryId);
                ps.setString(7, node);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean release(String deliveryId, String node, Instant at) {
        return run("could not release a webhook delivery", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + d.deliveries + " SET state = 'PENDING', "
                    + "next_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'DELIVERING' "
                    + "AND lease_owner = ?")) {
                Sql.setInstant(ps, 1, at);
                ps.setString(2, deliveryId);
                ps.setString(3, node);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean retry(String subscriptionId, String deliveryId, Instant now) {
        return run("could not retry a webhook delivery", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + d.deliveries + " SET state = 'PENDING', "
                    + "attempts = 0, next_at = ?, finished_at = NULL WHERE id = ? AND subscription_id = ? "
                    + "AND state IN ('DELIVERED', 'FAILED', 'DISABLED')")) {
                Sql.setInstant(ps, 1, now);
                ps.setString(2, deliveryId);
                ps.setString(3, subscriptionId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public int purge(Instant cutoff) {
        return run("could not purge webhook deliveries", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + d.deliveries
                    + " WHERE finished_at IS NOT NULL AND finished_at < ?")) {
                Sql.setInstant(ps, 1, cutoff);
                return ps.executeUpdate();
            }
        });
    }
}
