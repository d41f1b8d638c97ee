package io.asyncreply.store.jdbc;

import io.asyncreply.store.ClaimRequest;
import io.asyncreply.store.ClaimedTask;
import io.asyncreply.task.Transitions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Claims: picks ready rows of the requested types, decides each with {@link Transitions#claim},
 * writes them with their {@code started} events, in one transaction.
 *
 * <p>PostgreSQL: the ready rows are picked {@code FOR UPDATE SKIP LOCKED}, so claimers on every
 * node pass each other. H2: under an in-process lock (H2 is embedded, so its claimers share this
 * JVM; H2 2.5 applies LIMIT before skipping locked rows, so SKIP LOCKED came back empty whenever
 * the oldest ready row was locked), a plain read; a row cancelled in between fails its
 * compare-and-set and is passed over.
 */
final class Claims {
    private final Dialect dialect;
    private final Transactions tx;
    /** H2 only: serializes claims within this JVM. */
    private final ReentrantLock lock = new ReentrantLock();

    Claims(Dialect dialect, Transactions tx) {
        this.dialect = dialect;
        this.tx = tx;
    }

    List<ClaimedTask> claim(ClaimRequest request) {
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

    private List<ClaimedTask> claimNow(ClaimRequest r) {
        return tx.run("could not claim a task", true, w -> {
            Connection c = w.connection();
            List<Rows.Leased> rows = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            List<String> payloadTypes = new ArrayList<>();
            // PostgreSQL: the planner settings and the read go in one round trip (two statements).
            String sql = dialect.orderedIndexOnly == null ? dialect.selectReady(r.types() != null)
                    : dialect.orderedIndexOnly + "; " + dialect.selectReady(r.types() != null);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                Sql.setInstant(ps, i++, r.now());
                Sql.setInstant(ps, i++, r.now());
                if (r.types() != null) {
                    ps.setArray(i++, c.createArrayOf("VARCHAR", r.types().toArray(new String[0])));
                }
                ps.setInt(i, r.max());
                boolean isResult = ps.execute();
                if (dialect.orderedIndexOnly != null) {
                    isResult = ps.getMoreResults(); // past the settings' row to the ready rows
                }
                if (isResult) {
                    try (ResultSet rs = ps.getResultSet()) {
                        while (rs.next()) {
                            rows.add(Rows.leased(rs));
                            payloads.add(rs.getBytes(Rows.EXTRA_1));
                            payloadTypes.add(rs.getString(Rows.EXTRA_2));
                        }
                    }
                }
            }
            List<ChangeWriter.Planned> planned = new ArrayList<>(rows.size());
            List<Integer> from = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                Optional<Transitions.Change> ch = Transitions.claim(rows.get(i).task(), r.now());
                if (ch.isPresent()) {
                    planned.add(ChangeWriter.Planned.claim(rows.get(i), ch.get(), r.owner(), r.leaseUntil(), r.now()));
                    from.add(i);
                }
            }
            boolean[] applied = w.write(planned);
            List<ClaimedTask> out = new ArrayList<>(planned.size());
            for (int j = 0; j < planned.size(); j++) {
                if (applied[j]) {
                    int i = from.get(j);
                    out.add(new ClaimedTask(planned.get(j).change().after(), payloads.get(i), payloadTypes.get(i)));
                }
            }
            return out;
        });
    }

}
