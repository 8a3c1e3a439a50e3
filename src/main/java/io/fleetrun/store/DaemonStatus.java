package io.fleetrun.store;

import io.fleetrun.model.DatabaseSettings;
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
 * What a database tells about the daemon on it at {@code now}: what {@code fleetrun status} prints
 * and {@code GET /api/v1/daemon} answers. Read in plain JDBC ({@link JdbcStatusQueries}, {@link
 * JdbcNodeQueries}), so the CLI loads no jOOQ for it.
 *
 * @param database the database's URL without its password
 * @param heartbeat the most recent heartbeat row; empty when the last daemon stopped cleanly (it
 *     removes its row) or none ever ran
 * @param lastReload the result of the last config reload, when the daemon stored one
 * @param running the Running records: counts, and the newest few
 * @param pendingRequests CLI requests not answered yet
 * @param nodes the nodes of a PostgreSQL cluster ({@code daemon_node}); empty on SQLite
 */
public record DaemonStatus(
    String database,
    Instant now,
    Optional<Heartbeat> heartbeat,
    Optional<ReloadResult> lastReload,
    List<ScheduledJob> jobs,
    RunningRecords running,
    int pendingRequests,
    List<ClusterNode> nodes) {
  public DaemonStatus {
    jobs = List.copyOf(jobs);
    nodes = List.copyOf(nodes);
  }

  /**
   * Reads it from {@code db}, judging ages at {@code now} where the database's clock does not
   * (SQLite).
   *
   * @param newestRunning how many Running records to name; the rest are only counted
   */
  public static DaemonStatus read(ReadConnections db, Instant now, int newestRunning) {
    JdbcStatusQueries queries = new JdbcStatusQueries(db);
    Optional<Heartbeat> beat = queries.latestHeartbeat();
    return new DaemonStatus(
        DatabaseSettings.redacted(db.jdbcUrl()),
        now,
        beat,
        beat.flatMap(b -> queries.lastReload(b.daemon().nodeId())),
        queries.scheduledJobs(),
        queries.runningRecords(newestRunning),
        queries.pendingRequests(),
        // One daemon on SQLite, shown by its heartbeat; daemon_node is a cluster's table.
        DatabaseSettings.kindOf(db.jdbcUrl()) == DatabaseSettings.Kind.POSTGRESQL
            ? new JdbcNodeQueries(db).nodes() : List.of());
  }

  /** The config digests of the live nodes, when they differ (each node runs its own file); else empty. */
  public Set<String> divergentDigests() {
    Set<String> digests = nodes.stream().filter(n -> n.state() == ClusterNode.State.LIVE)
        .map(ClusterNode::configDigest).collect(Collectors.toCollection(TreeSet::new));
    return digests.size() > 1 ? digests : Set.of();
  }

  /** Whether a daemon beat within {@link Heartbeat#ALIVE_WITHIN}. */
  public boolean alive() {
    return heartbeat.map(b -> b.isAlive(now)).orElse(false);
  }

  /** How long ago the heartbeat was written (on PostgreSQL by the database's clock); never negative. */
  public Optional<Duration> heartbeatAge() {
    return heartbeat.map(b -> b.age(now));
  }

  /** How long the daemon of the heartbeat has run, at {@code now}; never negative. */
  public Optional<Duration> uptime() {
    return heartbeat.map(b -> nonNegative(Duration.between(b.daemon().startedAt(), now)));
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }
}
