package io.fleetrun.invoke;

import io.fleetrun.exec.Execution;
import io.fleetrun.exec.ExecutionRequest;
import io.fleetrun.exec.ProcessMarker;
import io.fleetrun.exec.RemoteExecutor;
import io.fleetrun.model.Command;
import io.fleetrun.model.DurationText;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Output;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.ParameterRule;
import io.fleetrun.model.ScriptTemplate;
import io.fleetrun.store.InvocationStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs records: writes each start, hands the script to the executor, writes each end. Store
 * writes for starts-running and ends happen on one writer thread, in order, so an SSH I/O thread
 * never waits for the database and a record's end is never written before its start.
 */
final class RecordRunner {
  private static final Logger log = LoggerFactory.getLogger(RecordRunner.class);
  private static final Duration POLL = Duration.ofMillis(50);

  private final InvocationStore store;
  private final RemoteExecutor executor;
  private final Clock clock;
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "fleetrun-record-writer");
            t.setDaemon(true);
            return t;
          });
  private final Map<RecordId, LiveRun> live = new ConcurrentHashMap<>();

  /**
   * Records per (invocation, instance) that started and whose end is not written yet. Unlike
   * {@link #live} an entry leaves only after the end is in the database, so a fire that finds
   * none here never starts a record that overlaps the previous one in the database.
   */
  private final Map<InstanceRun, Integer> unfinished = new ConcurrentHashMap<>();

  private record InstanceRun(InvokeId invokeId, InstanceId instance) {}

  RecordRunner(InvocationStore store, RemoteExecutor executor, Clock clock) {
    this.store = store;
    this.executor = executor;
    this.clock = clock;
  }

  /** A record in flight in this daemon, and why it is being stopped, if it is. */
  private static final class LiveRun {
    final String label;
    final Execution execution;
    volatile StopReason stopReason;

    LiveRun(String label, Execution execution) {
      this.label = label;
      this.execution = execution;
    }

    void stop(StopReason reason) {
      if (stopReason == null) {
        stopReason = reason;
      }
      execution.stop();
    }
  }

  /**
   * The record was written (Running) but the executor did not take it: nothing runs it, so its
   * end is the caller's to write.
   */
  static final class NotDispatched extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient RecordId record;

    NotDispatched(RecordId record, RuntimeException cause) {
      super("record " + record.value() + " was not handed to the executor: " + cause, cause);
      this.record = record;
    }

    RecordId record() {
      return record;
    }
  }

  /**
   * Starts one record of {@code invokeId} on {@code instance}; returns at once.
   *
   * @throws NotDispatched when the record was written but the executor refused it
   * @throws RuntimeException when the record could not be written (nothing was)
   */
  RecordId run(
      InvokeId invokeId,
      String jobLabel,
      Command command,
      Map<String, String> parameters,
      Instance instance) {
    Instant start = clock.instant();
    RecordId id = store.startRecord(invokeId, instance.id(), start);
    String label = invokeId + "/" + instance.id() + " (" + jobLabel + ")";
    String script;
    try {
      // Checked when the run was asked for; again here so no path can render an unchecked value.
      List<String> refused = ParameterRule.refusals(command.rules(), parameters);
      if (!refused.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", refused));
      }
      script = ScriptTemplate.render(command.content(), withBuiltIns(parameters, invokeId, instance));
    } catch (IllegalArgumentException e) {
      write(id, label, start, RecordEnds.couldNotStart(ErrorCode.InternalError, e.getMessage(), start));
      return id;
    }
    Execution execution;
    try {
      execution =
          executor.start(
              new ExecutionRequest(label, instance, script, command.workingDir(), command.timeout(),
                  ProcessMarker.of(invokeId, id)));
    } catch (RuntimeException e) {
      throw new NotDispatched(id, e);
    }
    LiveRun run = new LiveRun(label, execution);
    live.put(id, run);
    InstanceRun instanceRun = new InstanceRun(invokeId, instance.id());
    unfinished.merge(instanceRun, 1, Integer::sum);
    execution.started().thenAcceptAsync(group -> guarded(label,
        () -> store.markRecordRunning(id, group.id(), group.leaderStart())), writer);
    execution
        .outcome()
        .thenAcceptAsync(
            outcome -> {
              RecordEnd end =
                  RecordEnds.of(
                      outcome, Optional.ofNullable(run.stopReason), command.timeout(), clock.instant());
              try {
                write(id, label, start, end);
              } finally {
                // Only now: until its end is written a stop must find the run here, not end the
                // record itself as Stopped on top of a process that already finished.
                live.remove(id);
                unfinished.computeIfPresent(instanceRun, (k, n) -> n == 1 ? null : n - 1);
              }
            },
            writer);
    return id;
  }

  /**
   * Whether a record of {@code invokeId} on {@code instance} started in this daemon and its end
   * is not written yet. A record a previous daemon left Running is ended by the repair at start,
   * so for a single node this is the whole truth.
   */
  boolean hasUnfinishedRecord(InvokeId invokeId, InstanceId instance) {
    return unfinished.containsKey(new InstanceRun(invokeId, instance));
  }

  /**
   * Stops the record if it runs in this daemon (its end is written when the executor reports it)
   * and returns true; returns false when it is not running here.
   */
  boolean stop(RecordId id, StopReason reason) {
    LiveRun run = live.get(id);
    if (run == null) {
      return false;
    }
    run.stop(reason);
    return true;
  }

  /** Ends a record that has no live execution here, as Stopped or interrupted. */
  void endWithoutExecution(RecordId id, StopReason reason) {
    Instant now = clock.instant();
    RecordEnd end =
        reason == StopReason.SHUTDOWN
            ? RecordEnds.interrupted(Output.EMPTY, now)
            : RecordEnds.of(
                new io.fleetrun.model.ExecutionOutcome.Stopped(Output.EMPTY),
                Optional.of(reason),
                Duration.ZERO,
                now);
    guarded(id.toString(), () -> store.endRecord(id, end));
  }

  int liveCount() {
    return live.size();
  }

  /**
   * Lets running records go on for up to {@code grace}, then stops the rest (they end Failed with
   * ExecutionInterrupted) and waits for their ends to be written. Bounded by grace + kill wait.
   */
  void shutdown(Duration grace, Duration killWait) {
    if (!live.isEmpty()) {
      log.info("waiting up to {} for {} running record(s)", DurationText.format(grace), live.size());
    }
    awaitEmpty(grace);
    live.values().forEach(run -> run.stop(StopReason.SHUTDOWN));
    awaitEmpty(killWait);
    for (RecordId id : live.keySet()) {
      LiveRun run = live.remove(id);
      if (run == null) {
        continue; // its end was written meanwhile
      }
      log.warn("record {} did not end after the kill; marking it interrupted", run.label);
      writer.execute(() -> endWithoutExecution(id, StopReason.SHUTDOWN));
    }
    writer.shutdown();
    try {
      if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("record writes still pending after 10s at shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitEmpty(Duration max) {
    Instant deadline = Instant.now().plus(max);
    try {
      while (!live.isEmpty() && Instant.now().isBefore(deadline)) {
        Thread.sleep(POLL.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void write(RecordId id, String label, Instant start, RecordEnd end) {
    if (!endRecord(label, id, end)) {
      log.debug("record {} had already ended; {} not written", label, end.status());
      return;
    }
    Duration took = Duration.between(start, end.endTime());
    log.info(
        "record end {} status={} detail={} exit={} error={} duration={}ms",
        label,
        end.status(),
        end.detail(),
        end.exitCode().map(String::valueOf).orElse("-"),
        end.errorCode().map(Enum::name).orElse("-"),
        took.toMillis());
  }

  /** Writes the end; false when the record had already ended or the write failed (logged). */
  private boolean endRecord(String label, RecordId id, RecordEnd end) {
    try {
      return store.endRecord(id, end);
    } catch (RuntimeException e) {
      log.error("could not write the end of record {}", label, e);
      return false;
    }
  }

  /** Store failures are logged with the record's name, never allowed to kill the writer thread. */
  private static void guarded(String label, Runnable write) {
    try {
      write.run();
    } catch (RuntimeException e) {
      log.error("could not write record {}", label, e);
    }
  }

  private static Map<String, String> withBuiltIns(
      Map<String, String> parameters, InvokeId invokeId, Instance instance) {
    Map<String, String> values = new HashMap<>(parameters);
    values.put(ScriptTemplate.INSTANCE_ID, instance.id().value());
    values.put(ScriptTemplate.INVOKE_ID, invokeId.value());
    return values;
  }
}
