package io.fleetrun.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The nodes of a PostgreSQL cluster ({@code daemon_node}) for {@code fleetrun status} and a
 * starting daemon, in plain JDBC like {@link JdbcStatusQueries} (the CLI does not load jOOQ), each
 * with the database's clock read in the same query (see {@link ClusterNode}).
 */
public final class JdbcNodeQueries {
  private final ReadConnections db;

  public JdbcNodeQueries(ReadConnections db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /** Every node that ever registered, by node id, with the count of its Running records. */
  public List<ClusterNode> nodes() {
    return JdbcRows.query(db, "SELECT n.node_id, n.host, n.pid, n.version, n.config_digest, n.started_at,"
            + " n.beat_at, n.stopped_at, n.declared_dead_at, n.declared_dead_by,"
            + " (SELECT count(*) FROM invocation_record r WHERE r.status = 'Running' AND r.node_id = n.node_id),"
            + " " + DatabaseClock.NOW_TEXT
            + " FROM daemon_node n ORDER BY n.node_id", List.of(),
        rs -> new ClusterNode(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4),
            rs.getString(5), Instant.parse(rs.getString(6)), Instant.parse(rs.getString(7)),
            JdbcRows.time(rs, "stopped_at"), JdbcRows.time(rs, "declared_dead_at"),
            Optional.ofNullable(rs.getString(10)), rs.getInt(11), Instant.parse(rs.getString(12))));
  }
}
