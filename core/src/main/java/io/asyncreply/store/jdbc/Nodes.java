package io.asyncreply.store.jdbc;

import io.asyncreply.store.NodeInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
    void heartbeat(String nodeId, Instant startedAt, int running, Instant now) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(dialect.heartbeat)) {
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
                    out.add(new NodeInfo(rs.getString(1), Sql.getInstant(rs, 2), Sql.getInstant(rs, 3), rs.getInt(4)));
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
}
