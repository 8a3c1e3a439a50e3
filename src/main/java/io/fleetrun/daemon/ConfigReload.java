package io.fleetrun.daemon;

import io.fleetrun.config.ConfigDigest;
import io.fleetrun.config.ConfigException;
import io.fleetrun.config.ConfigLoader;
import io.fleetrun.config.ConfigProblem;
import io.fleetrun.config.FleetConfig;
import io.fleetrun.invoke.Invoker;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.Notification;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.schedule.FleetScheduler;
import io.fleetrun.store.ControlChannel;
import io.fleetrun.store.ReloadResult;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies an edited config file to the running daemon. A valid edit takes effect at once for
 * jobs, instances, commands and notifications (webhooks); settings the daemon was built with (database, SSH client,
 * limits) are reported as needing a restart and otherwise ignored. An invalid edit is refused
 * with every problem logged, and the config in force stays. Each attempt is recorded on the
 * daemon's heartbeat row. Reloads run one at a time.
 */
final class ConfigReload {
  private static final Logger log = LoggerFactory.getLogger(ConfigReload.class);

  private final Invoker invoker;
  private final FleetScheduler scheduler;
  private final Consumer<List<Notification>> notifications;
  private final ControlChannel control;
  private final String nodeId;
  private final Clock clock;
  private volatile ReloadResult last;
  private FleetConfig inForce;
  /**
   * {@link ConfigDigest} of the file as it was when the config in force was read from it.
   * Volatile: the node's heartbeat reads it without waiting for a reload in progress.
   */
  private volatile String inForceDigest;

  /**
   * @param loaded the config the daemon started with; its file is the one read again
   * @param loadedDigest the {@link ConfigDigest} of the bytes {@code loaded} was read from
   * @param notifications applies the webhooks of a reloaded config
   * @param nodeId the heartbeat row the results are recorded on
   */
  ConfigReload(
      FleetConfig loaded,
      String loadedDigest,
      Invoker invoker,
      FleetScheduler scheduler,
      Consumer<List<Notification>> notifications,
      ControlChannel control,
      String nodeId,
      Clock clock) {
    this.inForce = loaded;
    this.inForceDigest = loadedDigest;
    this.invoker = invoker;
    this.scheduler = scheduler;
    this.notifications = notifications;
    this.control = control;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  /**
   * At start, before the first fire: periodic invocations a previous run left follow the config
   * as a reload would make them (removed jobs forgotten, targets followed), so a restart and a
   * reload give the same result.
   */
  synchronized void applyAtStart() {
    Fleet fleet = inForce.fleet();
    invoker.stopRemovedJobs(periodicJobs(fleet));
    for (Job job : fleet.jobs()) {
      if (job.repeat() == RepeatMode.Period) {
        invoker.retarget(job.id(), Set.of());
      }
    }
  }

  /**
   * Reloads when the file no longer holds the bytes the config in force was read from (compared
   * by content). The daemon calls it once its file watch runs: an edit saved while it started
   * (after the file was read, before the watch began: the lease wait, repair) is applied then
   * instead of being lost. Returns the result when it reloaded. Never throws.
   */
  synchronized Optional<ReloadResult> reloadIfChanged() {
    Path file = inForce.source();
    if (ConfigDigest.of(file).equals(Optional.of(inForceDigest))) {
      return Optional.empty();
    }
    log.info("{} changed after it was read; reloading it", file);
    return Optional.of(reload());
  }

  /**
   * The {@link ConfigDigest} of the config in force (what a cluster node publishes, so that
   * nodes running different files are seen).
   */
  String inForceDigest() {
    return inForceDigest;
  }

  /** Reads the config file again and applies it, or refuses it. Never throws. */
  synchronized ReloadResult reload() {
    Path file = inForce.source();
    ReloadResult result;
    try {
      ConfigLoader.Loaded loaded = ConfigLoader.loadWithDigest(file);
      result = apply(loaded.config());
      inForceDigest = loaded.digest();
    } catch (ConfigException e) {
      String problems = e.problems().stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
      log.error("config reload refused, the previous config stays in force: {} problem(s) in {}:\n{}",
          e.problems().size(), file, problems);
      result = new ReloadResult(clock.instant(), false, problems);
    } catch (RuntimeException e) {
      log.error("config reload of {} failed while being applied; part of it may be in force", file, e);
      result = new ReloadResult(clock.instant(), false, "failed while being applied: " + e.getMessage());
    }
    record(result);
    return result;
  }

  private ReloadResult apply(FleetConfig next) {
    FleetConfig old = inForce;
    ConfigChange change = ConfigChange.between(old, next);
    if (!change.needsRestart().isEmpty()) {
      log.warn("config reload: {} changed; this needs a restart and is ignored until then",
          String.join(", ", change.needsRestart()));
    }
    Fleet before = old.fleet();
    Fleet after = next.fleet();
    // The fleet first: a new job's first fire must find it (a one-time job fires only once).
    invoker.updateFleet(after);
    invoker.stopRemovedJobs(periodicJobs(after));
    for (Job job : after.jobs()) {
      if (job.repeat() == RepeatMode.Period) {
        invoker.retarget(job.id(), joined(job, before, after));
      }
    }
    scheduler.apply(after.jobs(), clock.instant());
    notifications.accept(next.notifications());
    inForce = ConfigChange.inForce(old, next);
    log.info("config reloaded from {}: {}", next.source(), change.summary());
    return new ReloadResult(clock.instant(), true, change.summary());
  }

  /** Instances the edit added to {@code job}'s targets (those it targeted before do not count). */
  private static Set<InstanceId> joined(Job job, Fleet before, Fleet after) {
    Set<InstanceId> had = before.findJob(job.id())
        .map(j -> ids(before.resolve(j.targets())))
        .orElse(Set.of());
    Set<InstanceId> has = ids(after.resolve(job.targets()));
    has.removeAll(had);
    return has;
  }

  private static Set<InstanceId> ids(List<Instance> instances) {
    return instances.stream().map(Instance::id).collect(Collectors.toCollection(HashSet::new));
  }

  static Set<JobId> periodicJobs(Fleet fleet) {
    return fleet.jobs().stream()
        .filter(j -> j.repeat() == RepeatMode.Period)
        .map(Job::id)
        .collect(Collectors.toSet());
  }

  /** The result of the last reload since start, if there was one. */
  Optional<ReloadResult> last() {
    return Optional.ofNullable(last);
  }

  private void record(ReloadResult result) {
    last = result;
    try {
      control.recordReload(nodeId, result);
    } catch (RuntimeException e) {
      log.warn("could not record the reload result: {}", e.getMessage());
    }
  }
}
