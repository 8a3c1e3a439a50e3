package io.fleetrun.http;

import io.fleetrun.model.Fleet;
import io.fleetrun.model.HttpSettings.Role;
import io.fleetrun.model.JobId;
import io.fleetrun.store.JdbcStatusQueries;
import io.fleetrun.store.JdbcStatusQueries.ScheduledJob;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code /api/v1/instances}, {@code /commands} and {@code /jobs}: the fleet of the config in force
 * (asked for at each request, so a reload shows at once), in config order, whole (a fleet is
 * config-sized: no paging). A job's next fire time is the one Quartz keeps in its tables, read as
 * {@code fleetrun status} reads it.
 */
final class ConfigApi {
  private final Supplier<Fleet> fleet;
  private final JdbcStatusQueries schedule;

  /**
   * @param fleet the fleet in force now
   * @param schedule where the next fire times are read
   */
  ConfigApi(Supplier<Fleet> fleet, JdbcStatusQueries schedule) {
    this.fleet = fleet;
    this.schedule = schedule;
  }

  /** The routes, each for a reader (an operator too); none takes a query parameter. */
  List<Route> routes() {
    return List.of(
        Route.get(ReadApi.PREFIX + "/instances", Role.READER, ctx -> answer(ctx, "instances",
            () -> fleet.get().instances().stream().map(ConfigViews::instance).toList())),
        Route.get(ReadApi.PREFIX + "/commands", Role.READER, ctx -> answer(ctx, "commands",
            () -> fleet.get().commands().stream().map(ConfigViews::command).toList())),
        Route.get(ReadApi.PREFIX + "/jobs", Role.READER, ctx -> answer(ctx, "jobs", this::jobs)));
  }

  private List<Map<String, Object>> jobs() {
    Fleet now = fleet.get();
    Map<JobId, Optional<Instant>> next = schedule.scheduledJobs().stream()
        .collect(Collectors.toMap(ScheduledJob::job, ScheduledJob::nextFire, (a, b) -> a));
    return now.jobs().stream()
        .map(j -> ConfigViews.job(j, next.getOrDefault(j.id(), Optional.empty())))
        .toList();
  }

  /** {@code {"name": [items]}}. */
  private static void answer(Context ctx, String name, Supplier<List<Map<String, Object>>> items) {
    ApiServer.json(ctx, 200, Map.of(name, items.get()));
  }
}
