package io.asyncreply.store.jdbc;

import io.asyncreply.store.ClaimRequest;
import io.asyncreply.store.ClaimedTask;
import io.asyncreply.task.Transitions;
import io.asyncreply.task.TypePolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Claims: picks ready rows of the requested types, decides each with {@link Transitions#claim},
 * writes them with their {@code started} events, in one transaction. On PostgreSQL a claim that
 * serves no limited type is one statement instead ({@link PgClaim}).
 *
 * <p>PostgreSQL: the ready rows are picked {@code FOR UPDATE SKIP LOCKED}, so claimers on every
 * node pass each other. H2: under an in-process lock (H2 is embedded, so its claimers share this
 * JVM; H2 2.5 applies LIMIT before skipping locked rows, so SKIP LOCKED came back empty whenever
 * the oldest ready row was locked), a plain read; a row cancelled in between fails its
 * compare-and-set and is passed over. Paused types are passed over.
 *
 * <p>Limits across nodes ({@link ClaimRequest#limits()}): for each limited type the claim locks the
 * type's row in {@code <prefix>types} ({@code FOR UPDATE}, types in name order, so that two claims
 * never wait for each other in a circle), counts that type's running tasks on every node, refills
 * its token bucket (at most one second's worth), and takes no more than the concurrency and the
 * whole tokens allow; the bucket is written back in the same transaction. The lock makes the
 * nodes' claims of one limited type take turns, so two of them never count the same free slot.
 * Unlimited types are not locked. Hazard: a task whose node died counts as running until its
 * lease expires and it is recovered.
 */
final class Claims {
    private final Dialect dialect;
    private final Transactions tx;
    /** PostgreSQL: the one-statement claim of types without limits (null on H2). */
    private final PgClaim pg;
    /** H2 only: serializes claims within this JVM. */
    private final ReentrantLock lock = new ReentrantLock();

    Claims(Dialect dialect, Transactions tx, PgClaim pg) {
        this.dialect = dialect;
        this.tx = tx;
        this.pg = pg;
    }

    List<ClaimedTask> claim(ClaimRequest request) {
        if (pg != null && !servesLimited(request)) {
            return pg.claim(request, unlimitedTypes(request, List.of()), request.types() == null);
        }
        if (dialect.pg) {
            return claimNow(request);
        }
        lock.lock();
        try {
            return claimNow(request);
        } finally {
            lock.unlock();
        }
    }

    /** A row read to claim, with its payload. */
    private record Ready(Rows.Leased row, byte[] payload, String payloadType) {
    }

    /** A limited type's bucket after the refill, to write back less what was taken. */
    private record Bucket(String type, double tokens, Instant at) {
    }

    private List<ClaimedTask> claimNow(ClaimRequest r) {
        return tx.run("could not claim a task", true, w -> {
            Connection c = w.connection();
            List<Ready> ready = new ArrayList<>();
            Map<String, Bucket> buckets = new HashMap<>();
            List<String> limited = new ArrayList<>();
            for (String type : r.limits().keySet()) { // sorted by name
                if (r.serves(type)) {
                    limited.add(type);
                }
            }
            boolean settingsSent = false;
            for (String type : limited) {
                if (ready.size() >= r.max()) {
                    break;
                }
                if (!settingsSent && dialect.orderedIndexOnly != null) {
                    execute(c, dialect.orderedIndexOnly);
                    settingsSent = true;
                }
                int allowance = allowance(c, type, r.limits().get(type), r.now(), r.max() - ready.size(), buckets);
                if (allowance > 0) {
                    try (PreparedStatement ps = c.prepareStatement(dialect.selectReadyOfType())) {
                        Sql.setInstant(ps, 1, r.now());
                        Sql.setInstant(ps, 2, r.now());
                        ps.setString(3, type);
                        ps.setInt(4, allowance);
                        read(ps.executeQuery(), ready);
                    }
                }
            }
            int left = r.max() - ready.size();
            if (left > 0 && (r.types() == null || r.types().size() > limited.size())) {
                readUnlimited(c, r, limited, left, settingsSent, ready);
            }
            List<ChangeWriter.Planned> planned = new ArrayList<>(ready.size());
            List<Ready> from = new ArrayList<>(ready.size());
            for (Ready x : ready) {
                Optional<Transitions.Change> ch = Transitions.claim(x.row().task(), r.now());
                if (ch.isPresent()) {
                    planned.add(ChangeWriter.Planned.claim(x.row(), ch.get(), r.owner(), r.leaseUntil(), r.now()));
                    from.add(x);
                }
            }
            boolean[] applied = w.write(planned);
            List<ClaimedTask> out = new ArrayList<>(planned.size());
            Map<String, Integer> taken = new HashMap<>();
            for (int j = 0; j < planned.size(); j++) {
                if (applied[j]) {
                    ClaimedTask t = new ClaimedTask(planned.get(j).change().after(), from.get(j).payload(),
                            from.get(j).payloadType(), planned.get(j).change().before().runAt());
                    out.add(t);
                    taken.merge(t.task().type(), 1, Integer::sum);
                }
            }
            for (Bucket b : buckets.values()) {
                try (PreparedStatement ps = c.prepareStatement(dialect.setTokens)) {
                    ps.setDouble(1, b.tokens() - taken.getOrDefault(b.type(), 0));
                    Sql.setInstant(ps, 2, b.at());
                    ps.setString(3, b.type());
                    ps.executeUpdate();
                }
            }
            return out;
        });
    }

    /**
     * Locks {@code type}'s row and says how many of its tasks may start now: the concurrency left
     * after what runs on every node, and the whole tokens of its bucket (refilled to {@code now} and
     * kept in {@code buckets}, to be written back less what is taken); 0 when it is paused.
     */
    private int allowance(Connection c, String type, TypePolicy p, Instant now, int wanted, Map<String, Bucket> buckets)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(dialect.ensureType)) {
            ps.setString(1, type);
            ps.executeUpdate();
        }
        boolean paused;
        double tokens;
        Instant tokensAt;
        try (PreparedStatement ps = c.prepareStatement(dialect.lockType)) {
            ps.setString(1, type);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                paused = rs.getBoolean(1);
                double t = rs.getDouble(2);
                tokens = rs.wasNull() ? -1 : t;
                tokensAt = Sql.getInstant(rs, 3);
            }
        }
        if (paused) {
            return 0;
        }
        long n = wanted;
        if (p.concurrency() > 0) {
            try (PreparedStatement ps = c.prepareStatement(dialect.countRunning)) {
                ps.setString(1, type);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    n = Math.min(n, p.concurrency() - rs.getLong(1));
                }
            }
        }
        if (p.rate() > 0) {
            double burst = Math.max(1, p.rate());
            double filled;
            if (tokens < 0 || tokensAt == null) {
                filled = burst;
            } else if (now.isAfter(tokensAt)) {
                filled = Math.min(burst, tokens + Duration.between(tokensAt, now).toNanos() / 1e9 * p.rate());
            } else {
                filled = tokens;
            }
            Instant at = tokensAt == null || now.isAfter(tokensAt) ? now : tokensAt;
            buckets.put(type, new Bucket(type, filled, at));
            n = Math.min(n, (long) Math.floor(filled));
        }
        return (int) Math.max(0, n);
    }

    private static boolean servesLimited(ClaimRequest r) {
        for (String type : r.limits().keySet()) {
            if (r.serves(type)) {
                return true;
            }
        }
        return false;
    }

    /** The types a claim takes without limits, or (when it takes every type) the limited ones to leave out. */
    private static List<String> unlimitedTypes(ClaimRequest r, List<String> limited) {
        List<String> types = new ArrayList<>();
        if (r.types() == null) {
            types.addAll(limited);
        } else {
            for (String t : r.types()) {
                if (!limited.contains(t)) {
                    types.add(t);
                }
            }
        }
        return types;
    }

    private void readUnlimited(Connection c, ClaimRequest r, List<String> limited, int limit, boolean settingsSent,
            List<Ready> ready) throws SQLException {
        boolean exclude = r.types() == null;
        List<String> types = unlimitedTypes(r, limited);
        String select = dialect.selectReadyUnlimited(exclude);
        // PostgreSQL: the planner settings and the read go in one round trip (two statements).
        String sql = dialect.orderedIndexOnly == null || settingsSent ? select : dialect.orderedIndexOnly + "; " + select;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Sql.setInstant(ps, 1, r.now());
            Sql.setInstant(ps, 2, r.now());
            ps.setArray(3, c.createArrayOf("VARCHAR", types.toArray(new String[0])));
            ps.setInt(4, limit);
            boolean isResult = ps.execute();
            if (!sql.equals(select)) {
                isResult = ps.getMoreResults(); // past the settings' row to the ready rows
            }
            if (isResult) {
                read(ps.getResultSet(), ready);
            }
        }
    }

    private static void read(ResultSet rs, List<Ready> into) throws SQLException {
        try (rs) {
            while (rs.next()) {
                into.add(new Ready(Rows.leased(rs), rs.getBytes(Rows.EXTRA_1), rs.getString(Rows.EXTRA_2)));
            }
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }
}
