package io.fleetrun.daemon;

import io.fleetrun.invoke.EventFeed;
import io.fleetrun.invoke.RunEvent;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.store.InvocationQueries;
import io.fleetrun.store.OrphanedRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tells the event feed about the records {@link Recovery} ended: a restart's repair of this
 * node's records, or the take-over of a dead node's. They end as the engine's ends do for its
 * subscribers (the event stream, the webhooks, the metrics): one {@link RunEvent.RecordEnded}
 * each (Failed / Terminated / ExecutionInterrupted, no exit code, no duration), then one {@link
 * RunEvent.InvocationStatusChanged} for each invocation they touched that is now ended (a one-time
 * invocation whose last running record this was; a periodic one stays Running). Read after the
 * repair committed, so a stream never shows an end the database does not hold.
 */
final class RecoveryEvents {
  private final EventFeed events;
  private final InvocationQueries queries;

  RecoveryEvents(EventFeed events, InvocationQueries queries) {
    this.events = events;
    this.queries = queries;
  }

  /** Publishes the ends of {@code records}, ended at {@code at} in one committed repair. */
  void ended(List<OrphanedRecord> records, Instant at) {
    Map<InvokeId, Optional<Invocation>> invocations = new LinkedHashMap<>();
    for (OrphanedRecord r : records) {
      Optional<Invocation> invocation = invocations.computeIfAbsent(r.invokeId(), queries::findInvocation);
      events.publish(new RunEvent.RecordEnded(r.id(), r.invokeId(), invocation.flatMap(Invocation::job),
          r.instance(), RecordStatus.Failed, DetailStatus.Terminated, Optional.of(ErrorCode.ExecutionInterrupted),
          Optional.empty(), at, Optional.empty(), Optional.empty()));
    }
    invocations.values().stream().flatMap(Optional::stream).filter(i -> i.status().isEnded())
        .forEach(i -> events.publish(new RunEvent.InvocationStatusChanged(i.id(), i.status())));
  }
}
