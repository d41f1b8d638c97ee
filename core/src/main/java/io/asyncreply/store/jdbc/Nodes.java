package io.asyncreply.store.jdbc;

import io.asyncreply.store.NodeInfo;
import io.asyncreply.store.TypeState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;

/** The node registry, {@code <prefix>nodes}: one row per node, written by its heartbeat. */
final class Nodes {
    /** Most nodes {@link #nodes()} returns. */
    static final int MAX_NODES = 1000;

    private final DataSource dataSource;
    private final Dialect dialect;

    Nodes(DataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /** Upserts the node's row in {@code <prefix>nodes}. */
    void heartbeat(String nodeId, Instant startedAt, int running, Instant now, Set<String> types) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.heartbeat)) {
            ps.setString(5, String.join(",", new TreeSet<>(types)));
            ps.setString(1, nodeId);
            Sql.setInstant(ps, 2, startedAt);
            Sql.setInstant(ps, 3, now);
            ps.setInt(4, running);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw Sql.failure("could not record this node's heartbeat", e);
        }
    }

    /** At most {@value #MAX_NODES} nodes, by id. */
    List<NodeInfo> nodes() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.listNodes)) {
            ps.setInt(1, MAX_NODES);
            List<NodeInfo> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String types = rs.getString(5);
                    out.add(new NodeInfo(rs.getString(1), Sql.getInstant(rs, 2), Sql.getInstant(rs, 3), rs.getInt(4),
                            types == null || types.isEmpty() ? Set.of() : Set.of(types.split(","))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw Sql.failure("could not read the node registry", e);
        }
    }

    int forgetNodes(Instant silentSince) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(dialect.forgetNodes)) {
            Sql.setInstant(ps, 1, silentSince);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw Sql.failure("could not remove silent nodes from the registry", e);
        }
    }

    boolean forgetNode(String nodeId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.forgetNode)) {
            ps.setString(1, nodeId);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw Sql.failure("could not remove a node from the registry", e);
        }
    }


    /** Whether the registry holds a node other than {@code nodeId} (alive, or silent for less than five leases). */
    boolean othersExist(String nodeId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.countOtherNodes)) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        } catch (SQLException e) {
            throw Sql.failure("could not read the node registry", e);
        }
    }

    /** Pauses or resumes claims of {@code type} on every node. */
    void pause(String type, boolean paused) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.setPaused)) {
            ps.setString(1, type);
            ps.setBoolean(2, paused);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw Sql.failure("could not pause or resume a task type", e);
        }
    }

    /** Every type with queued or running tasks, or paused. */
    List<TypeState> typeStates() {
        Map<String, long[]> counts = new TreeMap<>();
        Set<String> paused = new HashSet<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(dialect.typeCounts); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long[] n = counts.computeIfAbsent(rs.getString(1), k -> new long[2]);
                    n["QUEUED".equals(rs.getString(2)) ? 0 : 1] = rs.getLong(3);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(dialect.pausedTypes); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    paused.add(rs.getString(1));
                    counts.computeIfAbsent(rs.getString(1), k -> new long[2]);
                }
            }
        } catch (SQLException e) {
            throw Sql.failure("could not count tasks by type", e);
        }
        List<TypeState> out = new ArrayList<>();
        counts.forEach((type, n) -> out.add(new TypeState(type, paused.contains(type), n[0], n[1])));
        return out;
    }
}
