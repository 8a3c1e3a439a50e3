package io.fleetrun.invoke;

import io.fleetrun.exec.RemoteExecutor;
import io.fleetrun.model.Command;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.OverlapPolicy;
import io.fleetrun.model.ParameterRule;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.ScriptTemplate;
import io.fleetrun.model.Targets;
import io.fleetrun.store.InvocationQueries;
import io.fleetrun.store.InvocationStore;
import io.fleetrun.store.NewInvocation;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates invocations and fans them out: one record per instance for a one-time invocation, and
 * for a periodic one a new record per fire on every instance not stopped. Stops them on request.
 */
public final class Invoker {
  private static final Logger log = LoggerFactory.getLogger(Invoker.class);

  private final InvocationStore store;
  private final InvocationQueries queries;
  private final RecordRunner runner;
  private final UnstartedRepair unstarted;
  private final FanOut fanOut;
  private final Clock clock;
  private volatile Fleet fleet;
  private volatile boolean accepting = true;

  public Invoker(
      InvocationStore store,
      InvocationQueries queries,
      RemoteExecutor executor,
      Fleet fleet,
      Clock clock) {
    this.store = store;
    this.queries = queries;
    this.runner = new RecordRunner(store, executor, clock);
    this.unstarted = new UnstartedRepair(store, clock);
    this.fanOut = new FanOut(runner, unstarted);
    this.fleet = fleet;
    this.clock = clock;
  }

  /** Uses {@code next} for the runs that start from now on; runs in flight are not disturbed. */
  public void updateFleet(Fleet next) {
    this.fleet = next;
  }

  /**
   * One fire of a job. A one-time job runs on its targets once, ever (a second fire does
   * nothing); a periodic job adds one record per instance not stopped to its one Running
   * invocation, creating that invocation on the first fire. Returns the invocation it fired into.
   */
  public synchronized Optional<InvokeId> fireJob(JobId jobId) {
    Fleet current = fleet;
    Optional<Job> found = current.findJob(jobId);
    if (!accepting || found.isEmpty()) {
      log.warn("fire of job {} ignored: {}", jobId, accepting ? "not in config" : "shutting down");
      return Optional.empty();
    }
    Job job = found.get();
    Command command = current.findCommand(job.command()).orElseThrow();
    Map<String, String> parameters = merged(command.parameters(), job.parameters());
    List<Instance> targets = current.resolve(job.targets());
    if (job.repeat() == RepeatMode.Once) {
      NewInvocation invocation = newInvocation(Optional.of(job), command, parameters, targets);
      if (!store.createOnceJobInvocation(invocation)) {
        log.debug("one-time job {} already ran; not running it again", jobId);
        return Optional.empty();
      }
      log.info("invocation {} of job {} on {} instance(s)", invocation.id(), jobId, targets.size());
      fanOut.start(invocation.id(), jobId.value(), command, parameters, targets, FanOut.none(targets));
      return Optional.of(invocation.id());
    }
    Optional<InvokeId> running = store.findRunningPeriodic(jobId).map(Invocation::id);
    if (running.isEmpty() && store.isStoppedJob(jobId, JobSpec.of(job, command))) {
      log.debug("periodic job {} was stopped; it starts again when its definition changes", jobId);
      return Optional.empty();
    }
    InvokeId id =
        running.orElseGet(
            () -> {
              NewInvocation created = newInvocation(Optional.of(job), command, parameters, targets);
              store.createInvocation(created);
              log.info("periodic invocation {} of job {} created", created.id(), jobId);
              return created.id();
            });
    List<Instance> firing = new ArrayList<>();
    Map<InstanceId, Integer> repeats = store.activeRepeats(id);
    for (InstanceId instanceId : repeats.keySet()) {
      Optional<Instance> instance = current.findInstance(instanceId);
      if (instance.isEmpty()) {
        log.warn("job {}: instance {} is no longer in config; skipped", jobId, instanceId);
        continue;
      }
      if (!overlapSkips(job, id, instanceId)) {
        firing.add(instance.get());
      }
    }
    fanOut.start(id, jobId.value(), command, parameters, firing, repeats);
    return Optional.of(id);
  }

  /**
   * With overlap: skip, a fire leaves out an instance whose previous record has not ended: no
   * record, one count in invocation_instance.skipped, one INFO line.
   */
  private boolean overlapSkips(Job job, InvokeId id, InstanceId instance) {
    if (job.overlap() != OverlapPolicy.SKIP || !runner.hasUnfinishedRecord(id, instance)) {
      return false;
    }
    int skipped = store.countSkippedFire(id, instance);
    log.info(
        "fire of job {} skipped on instance {} of invocation {}: its previous record is still"
            + " running (overlap: skip; {} skipped so far)",
        job.id(), instance, id, skipped);
    return true;
  }

  /**
   * Starts an ad-hoc one-time invocation, as {@code fleetrun run} asks.
   *
   * @throws InvocationRefusedException naming what is wrong (unknown command, instance or tag,
   *     a placeholder without value, a value its parameter's type or pattern refuses)
   */
  public synchronized InvokeId runAdHoc(ControlRequest.Run request) {
    if (!accepting) {
      throw new InvocationRefusedException("the daemon is shutting down");
    }
    Fleet current = fleet;
    Command command =
        current
            .findCommand(request.command())
            .orElseThrow(() -> new InvocationRefusedException("no command '" + request.command() + "' in config"));
    List<String> unknown =
        request.instances().stream()
            .filter(i -> current.findInstance(i).isEmpty())
            .map(InstanceId::value)
            .toList();
    if (!unknown.isEmpty()) {
      throw new InvocationRefusedException("no instance " + unknown + " in config");
    }
    List<Instance> targets = current.resolve(new Targets(request.instances(), request.tags()));
    if (targets.isEmpty()) {
      throw new InvocationRefusedException("no instance matches instances " + request.instances() + " / tags " + request.tags());
    }
    Map<String, String> parameters = merged(command.parameters(), request.parameters());
    Set<String> placeholders = ScriptTemplate.placeholders(command.content());
    ScriptTemplate.ParameterFit fit =
        ScriptTemplate.fit(placeholders, request.parameters().keySet(), command.parameters().keySet());
    if (!fit.unused().isEmpty()) {
      // As in config: a name no placeholder uses is most likely misspelt.
      throw new InvocationRefusedException(
          "command '" + command.id() + "' does not use parameter " + braced(fit.unused())
              + "; its placeholders are " + (placeholders.isEmpty() ? "none" : braced(placeholders)));
    }
    if (!fit.missing().isEmpty()) {
      throw new InvocationRefusedException(
          "command '" + command.id() + "' needs a value for " + braced(fit.missing()));
    }
    List<String> refused = ParameterRule.refusals(command.rules(), request.parameters());
    if (!refused.isEmpty()) {
      throw new InvocationRefusedException(
          "command '" + command.id() + "': " + String.join("; ", refused));
    }
    NewInvocation invocation = newInvocation(Optional.empty(), command, parameters, targets);
    store.createInvocation(invocation);
    log.info("ad-hoc invocation {} of command {} on {} instance(s)", invocation.id(), command.id(), targets.size());
    fanOut.start(invocation.id(), "ad-hoc", command, parameters, targets, FanOut.none(targets));
    return invocation.id();
  }

  /**
   * Stops {@code id} on {@code instances} (all when empty), as a person asks: periodic instances
   * become Stopped at once, running records end Stopped after their remote process group was
   * ended. A periodic job whose whole invocation is stopped stays stopped until its definition
   * in config changes.
   *
   * @throws InvocationRefusedException when there is no such invocation
   */
  public void stop(InvokeId id, Set<InstanceId> instances) {
    stop(id, instances, StopReason.USER);
  }

  /**
   * Stops {@code id} on {@code instances} (all when empty) for {@code reason}. Only a person's
   * stop ({@link StopReason#USER}) keeps a fully stopped periodic job from starting again.
   *
   * @throws InvocationRefusedException when there is no such invocation, or it has no such
   *     instance
   */
  public synchronized void stop(InvokeId id, Set<InstanceId> instances, StopReason reason) {
    Invocation invocation =
        queries.findInvocation(id).orElseThrow(() -> new InvocationRefusedException("no invocation " + id));
    List<InstanceId> members = store.instances(id);
    List<InstanceId> strangers = instances.stream().filter(i -> !members.contains(i)).toList();
    if (!strangers.isEmpty()) {
      throw new InvocationRefusedException(
          "invocation " + id + " has no instance " + strangers + "; its instances are " + members);
    }
    store.stopInstances(id, instances, clock.instant());
    if (reason == StopReason.USER) {
      rememberIfJobStopped(invocation);
    }
    endRunningRecords(id, instances, reason);
    log.info("stop of invocation {} on {} ({})", id, instances.isEmpty() ? "all instances" : instances, reason);
  }

  private void endRunningRecords(InvokeId id, Set<InstanceId> instances, StopReason reason) {
    for (InvocationRecord record : store.runningRecords(id)) {
      if (instances.isEmpty() || instances.contains(record.instance())) {
        if (!runner.stop(record.id(), reason)) {
          runner.endWithoutExecution(record.id(), reason);
        }
      }
    }
  }

  /**
   * A periodic job whose whole invocation a person stopped stays stopped (no new invocation on
   * the next fire) until its definition in config changes.
   */
  private void rememberIfJobStopped(Invocation invocation) {
    if (invocation.repeat() != RepeatMode.Period || invocation.job().isEmpty()) {
      return;
    }
    boolean allStopped = queries.findInvocation(invocation.id())
        .map(i -> i.status() == InvocationStatus.Stopped).orElse(false);
    Fleet current = fleet;
    Optional<Job> job = invocation.job().flatMap(current::findJob);
    Optional<Command> command = job.flatMap(j -> current.findCommand(j.command()));
    if (allStopped && command.isPresent()) {
      store.rememberStoppedJob(job.get().id(), JobSpec.of(job.get(), command.get()), invocation.id(), clock.instant());
    }
  }

  /** Records running in this daemon now. */
  public int runningRecords() {
    return runner.liveCount();
  }

  /**
   * Refuses new fires and runs, gives running records {@code grace} to end by themselves, then
   * ends the rest (remote process groups killed, records Failed with ExecutionInterrupted).
   */
  public void shutdown(Duration grace, Duration killWait) {
    synchronized (this) {
      accepting = false;
    }
    runner.shutdown(grace, killWait);
    unstarted.close();
  }

  private NewInvocation newInvocation(
      Optional<Job> job, Command command, Map<String, String> parameters, List<Instance> targets) {
    return new NewInvocation(
        InvokeId.random(),
        job.map(Job::id),
        command.id(),
        command.content(),
        parameters,
        job.map(Job::repeat).orElse(RepeatMode.Once),
        job.flatMap(Job::frequency),
        targets.stream().map(Instance::id).toList(),
        clock.instant());
  }

  private static Map<String, String> merged(Map<String, String> defaults, Map<String, String> values) {
    Map<String, String> merged = new HashMap<>(defaults);
    merged.putAll(values);
    return merged;
  }

  /**
   * Stops the Running periodic invocations of jobs no longer in config (or no longer periodic):
   * their instances become Stopped and their running records are ended like a person's stop,
   * remote process groups included. Unlike a person's stop, the job is not remembered as
   * stopped, and what was remembered of removed jobs is forgotten: a job added back starts again.
   * Returns the invocations stopped.
   */
  public synchronized List<InvokeId> stopRemovedJobs(Set<JobId> periodicJobsInConfig) {
    List<InvokeId> stopped = store.stopPeriodicInvocationsExcept(periodicJobsInConfig, clock.instant());
    for (InvokeId id : stopped) {
      endRunningRecords(id, Set.of(), StopReason.REMOVED);
      log.info("periodic invocation {} stopped: its job is no longer in config", id);
    }
    store.forgetStoppedJobsExcept(periodicJobsInConfig);
    return stopped;
  }

  /**
   * Makes the Running invocation of periodic job {@code jobId} follow the job's targets in the
   * current fleet: instances new to the targets join it (from the next fire on), instances no
   * longer targeted are stopped ({@link StopReason#REMOVED}, running records ended). An instance
   * that is still targeted but stopped (by a person) stays stopped unless it is in {@code
   * returning}, the instances the config change just added to the targets. Nothing happens when
   * the job has no Running periodic invocation.
   */
  public synchronized void retarget(JobId jobId, Set<InstanceId> returning) {
    Fleet current = fleet;
    Optional<Job> job = current.findJob(jobId).filter(j -> j.repeat() == RepeatMode.Period);
    Optional<InvokeId> running = store.findRunningPeriodic(jobId).map(Invocation::id);
    if (job.isEmpty() || running.isEmpty()) {
      return;
    }
    InvokeId id = running.get();
    Set<InstanceId> wanted = current.resolve(job.get().targets()).stream()
        .map(Instance::id).collect(Collectors.toCollection(LinkedHashSet::new));
    List<InstanceId> members = store.instances(id);
    List<InstanceId> joining = wanted.stream()
        .filter(i -> !members.contains(i) || returning.contains(i))
        .toList();
    Set<InstanceId> leaving = store.activeInstances(id).stream()
        .filter(i -> !wanted.contains(i))
        .collect(Collectors.toSet());
    // Join first: stopping every old instance before the new ones join would end the invocation.
    if (!joining.isEmpty()) {
      store.includeInstances(id, joining, clock.instant());
      log.info("periodic invocation {} of job {}: instance(s) {} joined", id, jobId, joining);
    }
    if (!leaving.isEmpty()) {
      stop(id, leaving, StopReason.REMOVED);
      log.info("periodic invocation {} of job {}: instance(s) {} left", id, jobId, leaving);
      // The instances still targeted were all stopped by a person: the job stays stopped, as if
      // they had stopped the last one, instead of a new invocation restarting them next fire.
      if (!wanted.isEmpty()) {
        queries.findInvocation(id).ifPresent(this::rememberIfJobStopped);
      }
    }
  }

  private static String braced(Set<String> names) {
    return names.stream().map(p -> "{{" + p + "}}").collect(Collectors.joining(", "));
  }
}
