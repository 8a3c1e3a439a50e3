package io.fleetrun.invoke;

import io.fleetrun.exec.Execution;
import io.fleetrun.exec.ExecutionRequest;
import io.fleetrun.exec.ProcessMarker;
import io.fleetrun.exec.RemoteExecutor;
import io.fleetrun.model.DurationText;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Output;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordId;
import io.fleetrun.store.RecordJournal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands records written with their fire to SSH under each fire's concurrency controls, and turns
 * what happens to them into {@link RecordJournal} events. One dispatch thread decides what to
 * start (executor calls return at once); completions arrive on SSH threads and only enqueue
 * journal events and a dispatch turn, so nothing here waits for SQLite or holds a lock over I/O.
 *
 * <p>A record goes to SSH only once its {@code dispatched_at} mark has committed: the dispatch
 * thread enqueues the marks of what it takes (a burst rides in the journal's group commits) and
 * goes on; once every mark of the burst is settled, one hop back to the dispatch thread starts
 * them together. (Started mark by mark instead, in the waves of the journal's batches, a
 * 200-record run on the in-process test server lost 4 to 9 records to connect timeouts; started
 * together, none.) So a daemon killed at any moment leaves every record that may have a script
 * running marked, and Recovery kills those scripts. A mark that cannot be written (the journal
 * gave it up: closing, or refused as poison after its retries) ends the record Failed /
 * DispatchFailed without starting it: the journal already retried it, and a script must never
 * run unmarked.
 */
final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
  private static final Duration POLL = Duration.ofMillis(50);

  private final RemoteExecutor executor;
  private final RecordJournal journal;
  private final RecordEndWriter ends;
  private final EventFeed events;
  private final Supplier<Fleet> fleet;
  private final Clock clock;
  private final ExecutorService turns = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "fleetrun-dispatch");
    t.setDaemon(true);
    return t;
  });
  /** Records handed to SSH (or being handed) whose end is not enqueued yet. */
  private final Map<RecordId, LiveRun> live = new ConcurrentHashMap<>();
  /** Records waiting for their turn, with their fire. */
  private final Map<RecordId, Flight> waiting = new ConcurrentHashMap<>();
  /**
   * Records per (invocation, instance) dispatched or waiting whose end is not committed yet: a
   * fire that finds none never writes a record that overlaps the previous one in the database.
   */
  private final Map<InstanceRun, Integer> unfinished = new ConcurrentHashMap<>();

  private record InstanceRun(InvokeId invokeId, InstanceId instance) {}

  /**
   * @param fleet the config in force: a record that waited (under maxConcurrency) starts with its
   *     instance's address and login as they are when it starts, not as they were at its fire
   */
  Dispatcher(RemoteExecutor executor, RecordJournal journal, Supplier<Fleet> fleet, Clock clock, EventFeed events) {
    this.executor = executor;
    this.fleet = fleet;
    this.journal = journal;
    this.events = events;
    this.ends = new RecordEndWriter(journal, events);
    this.clock = clock;
  }

  /** How every record end is written and logged (also by {@link Stops}). */
  RecordEndWriter ends() {
    return ends;
  }

  /** Where the engine publishes what it committed. */
  EventFeed events() {
    return events;
  }

  /** Takes a fire's records; returns at once, they start from the dispatch thread. */
  void submit(Flight flight, List<Flight.Target> targets) {
    for (Flight.Target target : targets) {
      unfinished.merge(new InstanceRun(flight.invokeId, target.record().instance()), 1, Integer::sum);
      waiting.put(target.id(), flight);
    }
    turn(flight);
  }

  private void turn(Flight flight) {
    try {
      turns.execute(() -> pump(flight));
    } catch (RejectedExecutionException e) {
      log.debug("invocation {}: dispatch stopped; its waiting records are ended at shutdown", flight.invokeId);
    }
  }

  private void pump(Flight flight) {
    List<Flight.Target> next = flight.take(target -> {
      live.put(target.id(), new LiveRun(flight.invokeId + "/" + target.instance().id() + " (" + flight.jobLabel + ")",
          target.ref(flight)));
      waiting.remove(target.id());
    });
    if (next.isEmpty()) {
      return;
    }
    // The burst's marks ride in the journal's group commits; its records start together once
    // every mark is settled (one hop back), as they would without marks.
    Instant at = clock.instant();
    List<LiveRun> runs = new ArrayList<>(next.size());
    List<CompletableFuture<Boolean>> marks = new ArrayList<>(next.size());
    for (Flight.Target target : next) {
      runs.add(live.get(target.id()));
      marks.add(journal.dispatched(target.id(), at));
    }
    CompletableFuture.allOf(marks.toArray(CompletableFuture<?>[]::new)).whenComplete((ignored, anyFailure) -> {
      try {
        turns.execute(() -> afterMarks(flight, next, runs, marks));
      } catch (RejectedExecutionException e) {
        for (int i = 0; i < next.size(); i++) {
          finish(flight, next.get(i), runs.get(i), RecordEnds.interrupted(Output.EMPTY, clock.instant()));
        }
      }
    });
  }

  private void afterMarks(Flight flight, List<Flight.Target> targets, List<LiveRun> runs,
      List<CompletableFuture<Boolean>> marks) {
    for (int i = 0; i < targets.size(); i++) {
      Flight.Target target = targets.get(i);
      CompletableFuture<Boolean> mark = marks.get(i);
      Throwable failure = null;
      Boolean marked = null;
      try {
        marked = mark.join();
      } catch (CompletionException | CancellationException e) {
        failure = e.getCause() == null ? e : e.getCause();
      }
      afterMark(flight, target, runs.get(i), marked, failure);
    }
  }

  /** The record's dispatched_at mark committed (or not): start it, or end it unstarted. */
  private void afterMark(Flight flight, Flight.Target target, LiveRun run, Boolean marked, Throwable failure) {
    if (failure != null) {
      log.error("record {}: not started, its dispatch mark could not be written: {}", run.label, failure.toString());
      finish(flight, target, run, RecordEnds.couldNotStart(ErrorCode.DispatchFailed,
          "the daemon could not record that it hands this record to SSH: " + failure, clock.instant()));
      return;
    }
    Optional<StopReason> stopped = run.stopReason();
    if (!Boolean.TRUE.equals(marked) || stopped.isPresent()) {
      // Stopped (or ended elsewhere) while its mark was written: it never starts.
      finish(flight, target, run, endWithoutExecution(stopped.orElse(StopReason.USER)));
      return;
    }
    try {
      start(flight, target, run);
    } catch (RuntimeException e) {
      log.error("record {}: could not be handed to SSH", run.label, e);
      finish(flight, target, run, RecordEnds.couldNotStart(ErrorCode.DispatchFailed,
          "the daemon could not start this record: " + e, clock.instant()));
    }
  }

  private void start(Flight flight, Flight.Target target, LiveRun run) {
    RecordId id = target.id();
    Optional<Instance> current = fleet.get().findInstance(target.record().instance());
    if (current.isEmpty()) {
      finish(flight, target, run, RecordEnds.couldNotStart(ErrorCode.DispatchFailed, "instance "
          + target.record().instance() + " was removed from config before this record started", clock.instant()));
      return;
    }
    Instance instance = current.get();
    String script;
    try {
      script = Scripts.render(flight, instance);
    } catch (IllegalArgumentException e) {
      finish(flight, target, run, RecordEnds.couldNotStart(ErrorCode.InternalError, e.getMessage(), clock.instant()));
      return;
    }
    Execution execution = executor.start(new ExecutionRequest(run.label, instance, script,
        flight.command.workingDir(), flight.command.timeout(), ProcessMarker.of(flight.invokeId, id)));
    run.attach(execution);
    execution.requested().thenAccept(at -> {
      run.startedAt = at;
      journal.sent(id, at).thenAccept(written -> {
        if (Boolean.TRUE.equals(written)) {
          events.publish(new RunEvent.RecordStarted(id, run.ref.invokeId(), run.ref.job(), run.ref.instance(), at,
              run.ref.delayTo(at)));
        }
      });
    });
    execution.started().thenAccept(group -> journal.running(id, group.id(), group.leaderStart()));
    execution.outcome().thenAccept(outcome -> finish(flight, target, run,
        RecordEnds.of(outcome, run.stopReason(), flight.command.timeout(), clock.instant())));
  }

  /** Enqueues the end, then frees the record's slot (and cancels the rest past maxErrors). */
  private void finish(Flight flight, Flight.Target target, LiveRun run, RecordEnd end) {
    write(target.ref(flight), run.label, end, run.began, run.startedAt);
    // Only after the end is queued: a stop that finds the record no longer live ends it in the
    // journal after this end, so its Stopped never overwrites what really happened.
    live.remove(target.id());
    List<Flight.Target> cancelled = flight.ended(RecordEnds.isError(end));
    if (!cancelled.isEmpty()) {
      String info = flight.cancelInfo();
      log.warn("invocation {} ({}): more records failed than maxErrors allows; the {} not started end"
          + " Failed/{}", flight.invokeId, flight.jobLabel, cancelled.size(), ErrorCode.MaxErrorsExceeded);
      for (Flight.Target rest : cancelled) {
        waiting.remove(rest.id());
        write(rest.ref(flight), flight.invokeId + "/" + rest.instance().id(), RecordEnds.cancelled(info, clock.instant()),
            null, null);
      }
    }
    turn(flight);
  }

  private void write(RecordRef ref, String label, RecordEnd end, Instant began, Instant startedAt) {
    InstanceRun key = new InstanceRun(ref.invokeId(), ref.instance());
    ends.write(ref, label, end, began, startedAt).whenComplete((written, failure) ->
        unfinished.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1));
  }

  /** Whether a record of {@code invokeId} on {@code instance} waits, runs, or its end is unwritten. */
  boolean hasUnfinishedRecord(InvokeId invokeId, InstanceId instance) {
    return unfinished.containsKey(new InstanceRun(invokeId, instance));
  }

  /**
   * Stops {@code record} if this daemon has it: a running one through its execution (its end
   * follows), a waiting one at once (ended Stopped, or interrupted at shutdown). False when this
   * daemon has no such record.
   */
  boolean stop(RecordId record, StopReason reason) {
    LiveRun run = live.get(record);
    if (run != null) {
      run.stop(reason);
      return true;
    }
    Flight flight = waiting.get(record);
    Optional<Flight.Target> target = flight == null ? Optional.empty() : flight.remove(record);
    if (target.isEmpty()) {
      // Claimed by the dispatch thread since we looked: it is live now (or already ended).
      LiveRun claimed = live.get(record);
      if (claimed != null) {
        claimed.stop(reason);
        return true;
      }
      return false;
    }
    waiting.remove(record);
    write(target.get().ref(flight), flight.invokeId + "/" + target.get().instance().id(),
        endWithoutExecution(reason), null, null);
    return true;
  }

  /**
   * Lets records go on (and waiting ones start) for up to {@code grace}; then ends the waiting
   * ones interrupted, stops the running ones ({@link StopReason#SHUTDOWN}) and waits up to
   * {@code killWait} for their ends; what is left then is ended interrupted. Bounded.
   */
  void shutdown(Duration grace, Duration killWait) {
    if (liveCount() > 0) {
      log.info("waiting up to {} for {} record(s)", DurationText.format(grace), liveCount());
    }
    awaitEmpty(grace);
    List<Runnable> dropped = turns.shutdownNow();
    for (RecordId id : List.copyOf(waiting.keySet())) {
      stop(id, StopReason.SHUTDOWN);
    }
    live.values().forEach(run -> run.stop(StopReason.SHUTDOWN));
    // Turns still queued: a record whose mark committed ends here unstarted (its stop is set),
    // instead of waiting out killWait; a pump finds nothing left to take.
    dropped.forEach(Runnable::run);
    awaitEmpty(killWait);
    live.forEach((id, run) -> {
      if (live.remove(id) != null) {
        log.warn("record {} did not end after the kill; marking it interrupted", run.label);
        ends.write(run.ref, run.label, RecordEnds.interrupted(Output.EMPTY, clock.instant()), run.began, run.startedAt);
      }
    });
  }

  private void awaitEmpty(Duration max) {
    Instant deadline = Instant.now().plus(max);
    try {
      while (liveCount() > 0 && Instant.now().isBefore(deadline)) {
        Thread.sleep(POLL.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The end of a record stopped before it ran: Stopped, or interrupted at shutdown. */
  RecordEnd endWithoutExecution(StopReason reason) {
    return RecordEnds.withoutExecution(reason, clock.instant());
  }

  int liveCount() {
    return live.size() + waiting.size();
  }

  /** Records handed to SSH (or being handed) whose end is not enqueued yet. */
  int runningCount() {
    return live.size();
  }

  /** Records waiting for their turn. */
  int waitingCount() {
    return waiting.size();
  }
}
