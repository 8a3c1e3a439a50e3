package io.fleetrun.invoke;

import io.fleetrun.model.Command;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RecordId;
import io.fleetrun.store.PendingRecord;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The dispatch state of one fire (or run): its records not yet handed to SSH, how many run, how
 * many ended in error, and its concurrency controls. Pure bookkeeping under its own small lock;
 * nothing here waits for SSH or the database.
 */
final class Flight {
  /** One record of the fire with the instance it runs on. */
  record Target(PendingRecord record, Instance instance) {
    RecordId id() {
      return record.id();
    }

    RecordRef ref(Flight flight) {
      return new RecordRef(record.id(), flight.invokeId, flight.origin.job(), record.instance(),
          flight.origin.scheduledAt());
    }
  }

  /** The job a fire is of (empty for an ad-hoc run) and its records' scheduled_at. */
  record Origin(Optional<JobId> job, Instant scheduledAt) {}

  final InvokeId invokeId;
  final String jobLabel;
  final Origin origin;
  final Command command;
  final Map<String, String> parameters;
  private final int maxConcurrency;
  private final Optional<Integer> maxErrors;
  private final int targets;
  private final Deque<Target> queue;
  private int running;
  private int errors;
  private boolean cancelled;

  Flight(InvokeId invokeId, Origin origin, Command command, Map<String, String> parameters,
      List<Target> targets, ConcurrencyControls controls) {
    this.invokeId = invokeId;
    this.origin = origin;
    this.jobLabel = origin.job().map(JobId::value).orElse("ad-hoc");
    this.command = command;
    this.parameters = Map.copyOf(parameters);
    this.targets = targets.size();
    this.queue = new ArrayDeque<>(targets);
    this.maxConcurrency = controls.maxConcurrency().map(t -> Math.max(1, t.of(this.targets)))
        .orElse(Integer.MAX_VALUE);
    this.maxErrors = controls.maxErrors().map(t -> t.of(this.targets));
  }

  /**
   * The records to hand to SSH now (counted as running), within maxConcurrency. {@code claimed}
   * sees each under this flight's lock, so a {@link #remove} that misses a record knows it was
   * claimed already.
   */
  synchronized List<Target> take(Consumer<Target> claimed) {
    List<Target> next = new ArrayList<>();
    while (!cancelled && running < maxConcurrency && !queue.isEmpty()) {
      Target target = queue.poll();
      claimed.accept(target);
      next.add(target);
      running++;
    }
    return next;
  }

  /**
   * One running record ended ({@code error}: Failed, or Finished not in success). Returns the
   * records no longer to start because errors now exceed maxErrors (once; empty otherwise).
   */
  synchronized List<Target> ended(boolean error) {
    running--;
    if (error) {
      errors++;
    }
    if (cancelled || maxErrors.isEmpty() || errors <= maxErrors.get()) {
      return List.of();
    }
    cancelled = true;
    List<Target> rest = new ArrayList<>(queue);
    queue.clear();
    return rest;
  }

  /** Removes {@code record} if it still waits and returns it (its end is the caller's). */
  synchronized Optional<Target> remove(RecordId record) {
    for (Target target : queue) {
      if (target.id().equals(record)) {
        queue.remove(target);
        return Optional.of(target);
      }
    }
    return Optional.empty();
  }

  /** Removes and returns every record still waiting. */
  synchronized List<Target> removeAll() {
    List<Target> rest = new ArrayList<>(queue);
    queue.clear();
    return rest;
  }

  /** Why the cancelled records were not started, for their error_info. */
  synchronized String cancelInfo() {
    return errors + " record(s) of " + targets + " failed, more than maxErrors allows (" + maxErrors.orElse(0)
        + "); this one was not started";
  }
}
