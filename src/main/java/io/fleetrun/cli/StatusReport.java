package io.fleetrun.cli;

import io.fleetrun.store.ClusterNode;
import io.fleetrun.store.Heartbeat;
import io.fleetrun.store.JdbcStatusQueries.RunningRecords;
import io.fleetrun.store.JdbcStatusQueries.ScheduledJob;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What {@code fleetrun status} read from the database at {@code now}.
 *
 * @param heartbeat the most recent heartbeat row; empty when the last daemon stopped cleanly (it
 *     removes its row) or none ever ran
 * @param lastReload the result of the last config reload, when the daemon stored one
 * @param nodes the nodes of a PostgreSQL cluster ({@code daemon_node}); empty on SQLite
 */
record StatusReport(
    String database,
    Instant now,
    Optional<Heartbeat> heartbeat,
    Optional<String> lastReload,
    List<ScheduledJob> jobs,
    RunningRecords running,
    int pendingRequests,
    List<ClusterNode> nodes) {
  StatusReport {
    jobs = List.copyOf(jobs);
    nodes = List.copyOf(nodes);
  }

  /** The config digests of the live nodes, when they differ (each node runs its own file). */
  Set<String> divergentDigests() {
    Set<String> digests = nodes.stream().filter(n -> n.state() == ClusterNode.State.LIVE)
        .map(ClusterNode::configDigest).collect(Collectors.toCollection(TreeSet::new));
    return digests.size() > 1 ? digests : Set.of();
  }

  boolean alive() {
    return heartbeat.map(b -> b.isAlive(now)).orElse(false);
  }

  /** How long ago the heartbeat was written (on PostgreSQL by the database's clock); never negative. */
  Optional<Duration> heartbeatAge() {
    return heartbeat.map(b -> b.age(now));
  }

  Optional<Duration> uptime() {
    return heartbeat.map(b -> nonNegative(Duration.between(b.daemon().startedAt(), now)));
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }
}
