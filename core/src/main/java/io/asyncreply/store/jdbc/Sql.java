package io.asyncreply.store.jdbc;

import io.asyncreply.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * JDBC helpers: binding and reading instants, and turning {@link SQLException}s into
 * {@link StoreException}s.
 *
 * <p>Hazard: drivers put row data into their messages (PostgreSQL's "Failing row contains (...)",
 * pgjdbc's "Batch entry 0 INSERT ... VALUES (...)", H2's "Value too long ..."), which would put
 * payloads and results into logs. {@link #failure} therefore keeps the driver's text, and attaches
 * the driver's exception as the cause, only for SQLState classes whose messages carry no row data
 * (connection, rollback, resources, operator intervention, a few H2 codes); for the others it
 * gives the SQLState and vendor code only.
 */
final class Sql {
    /**
     * SQLState classes whose messages describe the connection, the server or the schema, never row
     * data: connection, authorization, rollback, resources, operator intervention, system error,
     * invalid schema name (3F: "no schema has been selected to create in"), driver.
     */
    private static final Set<String> SAFE_CLASSES = Set.of("08", "28", "3F", "40", "53", "57", "58", "HY");
    /**
     * Single codes of the same kind: insufficient privilege (42501, "permission denied for schema
     * ..."), and H2's database closed, not found, in use, connection broken, ...
     */
    private static final Set<String> SAFE_STATES = Set.of("42501", "90013", "90020", "90067", "90098", "90121",
            "90146");
    static final String UNIQUE_VIOLATION = "23505";

    private Sql() {
    }

    /** A {@link StoreException} for {@code what} (which must hold no payload) failing with {@code e}. */
    static StoreException failure(String what, SQLException e) {
        String state = e.getSQLState();
        StringBuilder m = new StringBuilder(what).append(" (SQLState ").append(state).append(", error ")
                .append(e.getErrorCode()).append(')');
        if (isSafe(state)) {
            m.append(": ").append(firstLine(e.getMessage()));
            return new StoreException(m.toString(), e);
        }
        return new StoreException(m.toString());
    }

    private static boolean isSafe(String state) {
        return state != null && state.length() >= 2
                && (SAFE_CLASSES.contains(state.substring(0, 2)) || SAFE_STATES.contains(state));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    /**
     * Whether the database rolled the transaction back for a reason that trying again can cure: a
     * deadlock (40P01), a serialization failure (40001), H2's concurrent update (90131) or lock
     * timeout (50200).
     */
    static boolean isRetryable(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String s = x.getSQLState();
            if ("40P01".equals(s) || "40001".equals(s) || "90131".equals(s) || "50200".equals(s)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code e} (or a chained exception) is a unique-constraint violation. */
    static boolean isUniqueViolation(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (UNIQUE_VIOLATION.equals(x.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            // not OffsetDateTime.ofInstant: on JDK 17 it builds a new ZoneRules on every call (4% of the
            // CPU of the PostgreSQL intake benchmark went to binding instants)
            ps.setObject(index, OffsetDateTime.of(
                    LocalDateTime.ofEpochSecond(value.getEpochSecond(), value.getNano(), ZoneOffset.UTC), ZoneOffset.UTC));
        }
    }

    static Instant getInstant(ResultSet rs, int index) throws SQLException {
        OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /**
     * PostgreSQL: an instant selected as whole microseconds since the epoch ({@link PgClaim#micros}).
     * Cheaper than {@link #getInstant}: the driver builds two {@code GregorianCalendar}s for every
     * result set and statement that reads or binds a timestamp, which was a sixth of the claimer's CPU.
     */
    static Instant getMicros(ResultSet rs, int index) throws SQLException {
        long v = rs.getLong(index);
        return rs.wasNull() ? null : Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L), Math.floorMod(v, 1_000_000L) * 1_000L);
    }

    static void setBytes(PreparedStatement ps, int index, byte[] value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARBINARY);
        } else {
            ps.setBytes(index, value);
        }
    }

    static void setString(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }

    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; closing it is all that is left
        }
    }

    static void autoCommitQuietly(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // broken connection: the pool discards it
        }
    }
}
