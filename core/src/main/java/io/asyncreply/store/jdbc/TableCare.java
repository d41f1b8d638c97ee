package io.asyncreply.store.jdbc;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * PostgreSQL: keeps the store's tables' planner statistics and dead rows in check when the server's
 * autovacuum does not. A queue table changes every row several times: without statistics the
 * planner takes the tables for nearly empty and picks plans that read every queued row on each
 * claim (measured: 2.8 ms per claim with 20,000 queued, against 0.12 ms), and without vacuum the
 * claim index fills with entries of rows long claimed.
 *
 * <p>What it does, at most once per call and by one node at a time (a transaction-level advisory
 * lock tried, never waited for): {@code ANALYZE} of a table never analyzed, or changed by more than
 * a tenth of its rows since, when no analyze (manual or auto) ran for a minute; and, only when
 * autovacuum is off (server setting, or the table's {@code autovacuum_enabled}), {@code VACUUM} of a
 * table whose dead rows pass a fifth of its live ones. With autovacuum on, vacuuming is left to it.
 * A refusal (the user does not own the tables) is logged once and not tried again.
 */
final class TableCare {
    private static final System.Logger LOG = System.getLogger(TableCare.class.getName());
    private static final long MIN_CHANGES = 1000;

    private final DataSource dataSource;
    private final Dialect dialect;
    private volatile boolean refused;
    private volatile boolean told;

    TableCare(DataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    void run() {
        if (!dialect.pg || refused) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            boolean autovacuum = autovacuumOn(c);
            for (String table : new String[] {dialect.tasks, dialect.events}) {
                care(c, table, autovacuum);
            }
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) { // insufficient privilege
                refused = true;
                LOG.log(Level.INFO, "cannot ANALYZE or VACUUM the task tables (not their owner); their statistics and "
                        + "dead rows are left to the database's own maintenance");
            } else {
                LOG.log(Level.DEBUG, "table care failed: SQLState {0}", e.getSQLState());
            }
        }
    }

    private static boolean autovacuumOn(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW autovacuum")) {
            return rs.next() && "on".equalsIgnoreCase(rs.getString(1));
        }
    }

    private void care(Connection c, String table, boolean autovacuumOnServer) throws SQLException {
        long live;
        long dead;
        long changed;
        boolean analyzed;
        boolean recentlyAnalyzed;
        boolean tableAutovacuum;
        try (PreparedStatement ps = c.prepareStatement("SELECT s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze, "
                + "COALESCE(s.last_analyze, s.last_autoanalyze) IS NOT NULL, "
                + "GREATEST(s.last_analyze, s.last_autoanalyze) > now() - INTERVAL '1 minute', "
                + "NOT COALESCE('autovacuum_enabled=false' = ANY(k.reloptions), false) "
                + "FROM pg_stat_user_tables s JOIN pg_class k ON k.oid = s.relid "
                + "WHERE s.relid = to_regclass(?)")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                live = rs.getLong(1);
                dead = rs.getLong(2);
                changed = rs.getLong(3);
                analyzed = rs.getBoolean(4);
                recentlyAnalyzed = rs.getBoolean(5);
                tableAutovacuum = rs.getBoolean(6);
            }
        }
        boolean autovacuum = autovacuumOnServer && tableAutovacuum;
        boolean analyze = !analyzed || (!recentlyAnalyzed && changed > Math.max(MIN_CHANGES, live / 10));
        boolean vacuum = !autovacuum && dead > Math.max(MIN_CHANGES, live / 5);
        if (!analyze && !vacuum) {
            return;
        }
        if (!lock(c)) {
            return; // another node is at it
        }
        try (Statement s = c.createStatement()) {
            if (vacuum && !told) {
                told = true;
                LOG.log(Level.INFO, "autovacuum is off for the task tables; asyncreply vacuums them itself when "
                        + "they hold many dead rows");
            }
            s.execute((vacuum ? "VACUUM (ANALYZE) " : "ANALYZE ") + table); // a name we built (Dialect.PREFIX)
        } finally {
            unlock(c);
        }
    }

    private boolean lock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            ps.setInt(1, 0x61727279);
            ps.setInt(2, ("care:" + dialect.tasks).hashCode());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private void unlock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
            ps.setInt(1, 0x61727279);
            ps.setInt(2, ("care:" + dialect.tasks).hashCode());
            ps.execute();
        }
    }
}
