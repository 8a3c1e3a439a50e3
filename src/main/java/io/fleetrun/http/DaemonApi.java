package io.fleetrun.http;

import io.fleetrun.model.HttpSettings.Role;
import io.fleetrun.store.DaemonStatus;
import io.fleetrun.store.ReadConnections;
import java.time.Clock;
import java.util.List;

/**
 * {@code /api/v1/daemon}: what {@code fleetrun status} shows (heartbeat, last reload, schedule,
 * running records, pending requests, cluster nodes), read from the database at each request
 * through the API's read pool, so it tells what every reader of that database sees.
 */
final class DaemonApi {
  /** Running records named in the answer, as {@code fleetrun status} names them; the rest are counted. */
  static final int NEWEST_RUNNING = 5;

  private final ReadConnections database;
  private final Clock clock;

  /**
   * @param database where the status is read
   * @param clock judges the heartbeat's age on SQLite (on PostgreSQL the database's clock does)
   */
  DaemonApi(ReadConnections database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** The route, for a reader (an operator too); it takes no query parameter. */
  List<Route> routes() {
    return List.of(Route.get(ReadApi.PREFIX + "/daemon", Role.READER, ctx ->
        ApiServer.json(ctx, 200, DaemonView.of(DaemonStatus.read(database, clock.instant(), NEWEST_RUNNING)))));
  }
}
