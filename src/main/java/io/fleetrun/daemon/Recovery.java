package io.fleetrun.daemon;

import io.fleetrun.exec.OrphanKill;
import io.fleetrun.exec.ProcessMarker;
import io.fleetrun.exec.RemoteExecutor;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Instance;
import io.fleetrun.model.RecordId;
import io.fleetrun.store.DeadNode;
import io.fleetrun.store.InvocationStore;
import io.fleetrun.store.OrphanedRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles what a previous daemon left when it died (kill -9, power loss) or stopped: its
 * Running records end Failed / ExecutionInterrupted (statuses recomputed in the same
 * transaction), then their remote process groups are killed where they still carry the record's
 * {@link ProcessMarker}, all targets in parallel within one bounded wait, one log line per
 * record. (Periodic jobs removed from config while the daemon was down are stopped next, by
 * {@code ConfigReload.applyAtStart}, like a removal while it runs.) Runs after the single-node lease is
 * taken, so never beside a live daemon. One-time jobs are not run again (the once_job table says
 * they ran); periodic ones go on with new records on their next fire. On a PostgreSQL cluster it
 * also takes over dead nodes ({@link #takeOver}) and makes the remote kills a take-over owes and
 * never made ({@code kill_pending_by}).
 */
final class Recovery {
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);
  static final String INTERRUPTED_INFO = "the daemon stopped while the record was running";
  /** Beyond one kill's own bound: queueing for session permits, log writing. */
  private static final Duration WAIT_MARGIN = Duration.ofSeconds(2);

  private final InvocationStore store;
  private final RemoteExecutor executor;
  private final Duration killBound;
  private final Clock clock;
  private final Optional<RecoveryEvents> events;

  /** A recovery whose ends reach no event subscriber (tests of the repair alone). */
  Recovery(InvocationStore store, RemoteExecutor executor, Duration killBound, Clock clock) {
    this(store, executor, killBound, clock, Optional.empty());
  }

  /**
   * @param killBound how long one orphan kill takes at most (the executor's bound)
   * @param events where the ends of the dead nodes' records it ends ({@link #takeOver}) are
   *     published, once committed
   */
  Recovery(InvocationStore store, RemoteExecutor executor, Duration killBound, Clock clock, RecoveryEvents events) {
    this(store, executor, killBound, clock, Optional.of(events));
  }

  private Recovery(InvocationStore store, RemoteExecutor executor, Duration killBound, Clock clock,
      Optional<RecoveryEvents> events) {
    this.store = store;
    this.executor = executor;
    this.killBound = killBound;
    this.clock = clock;
    this.events = events;
  }

  /**
   * What a restart's repair ended.
   *
   * @param records the records it ended, Failed / Terminated / ExecutionInterrupted
   * @param at their end time
   */
  record Repaired(List<OrphanedRecord> records, Instant at) {
    Repaired {
      records = List.copyOf(records);
    }
  }

  /**
   * Repairs the database and the targets; returns within twice the kill bound plus margins. It
   * runs before the daemon's event subscribers exist, so it publishes nothing: the daemon hands
   * what it returns to {@link RecoveryEvents} once they do.
   */
  Repaired repair(Fleet fleet) {
    Instant now = clock.instant();
    List<OrphanedRecord> orphans = store.interruptOrphanedRecords(now, INTERRUPTED_INFO);
    if (!orphans.isEmpty()) {
      repairOwn(orphans, fleet);
    }
    killPending(fleet);
    return new Repaired(orphans, now);
  }

  private void repairOwn(List<OrphanedRecord> orphans, Fleet fleet) {
    // A record handed to SSH (dispatched_at or start_time set) may have a script running, even
    // without a start time: the daemon commits dispatched_at before the exec request goes out,
    // and may die before start_time is written. One never handed over (it waited for its turn)
    // has no process anywhere: at 1,000 of them, looking would cost 1,000 needless connections.
    List<OrphanedRecord> sent = orphans.stream().filter(OrphanedRecord::handedToSsh).toList();
    log.warn("{} record(s) left running by a previous daemon were ended as interrupted ({} never handed to SSH); "
        + "ending the remote processes of the {} handed over", orphans.size(), orphans.size() - sent.size(),
        sent.size());
    if (!sent.isEmpty()) {
      killOnTargets(sent, fleet);
    }
  }

  /**
   * On a PostgreSQL cluster: declares dead the nodes silent for {@code window} (the database
   * chooses one survivor for each), ends their Running records and kills their remote process
   * groups as {@link #repair} does for this node's own, never this node's records (the store
   * selects the dead node's only). The kills are owed in the database until tried, so a kill this
   * node dies before making is made by its restart or by the node that declares it dead ({@link
   * #killPending}). Returns within the kill bound plus a margin per dead node, and once more for
   * owed kills.
   */
  void takeOver(Fleet fleet, Duration window) {
    Instant now = clock.instant();
    for (DeadNode dead : store.takeOverDeadNodes(window, now)) {
      events.ifPresent(e -> e.ended(dead.records(), now));
      List<OrphanedRecord> sent = dead.records().stream().filter(OrphanedRecord::handedToSsh).toList();
      log.warn("node {} declared dead by this node: no beat for {} ms (last beat {}); {} of its running record(s)"
          + " ended as interrupted, {} of its unanswered CLI request(s) answered, killing the remote processes"
          + " of the {} handed to SSH", dead.nodeId(), dead.silentFor().toMillis(), dead.beatAt(),
          dead.records().size(), dead.requestsAnswered(), sent.size());
      if (sent.isEmpty()) {
        continue;
      }
      Kills kills = killOnTargets(sent, fleet);
      store.killsTried(kills.tried());
      log.warn("take-over of node {}: {} kill(s) done, {} with nothing left running, {} failed or not looked for",
          dead.nodeId(), kills.killed(), kills.notRunning(), kills.failed());
    }
    if (Thread.currentThread().isInterrupted()) {
      return; // the daemon stops: the kills left are owed in the database
    }
    killPending(fleet);
  }

  /**
   * The kills a take-over owes and never made (see {@link InvocationStore#claimPendingKills}): this
   * node's previous process, or a node now stopped or declared dead, ended the records and died
   * before killing their processes.
   */
  private void killPending(Fleet fleet) {
    List<OrphanedRecord> owed = store.claimPendingKills();
    if (owed.isEmpty()) {
      return;
    }
    log.warn("{} remote kill(s) owed by the take-over of a dead node were never made (the node that owed them"
        + " died or stopped first); making them now", owed.size());
    Kills kills = killOnTargets(owed, fleet);
    store.killsTried(kills.tried());
    log.warn("owed kills: {} done, {} with nothing left running, {} failed or not looked for", kills.killed(),
        kills.notRunning(), kills.failed());
  }

  /**
   * What the kills of one repair or take-over came to.
   *
   * @param tried the records whose kill was tried (owed no longer): all of them, unless the
   *     thread was interrupted (the daemon stops) before some kills answered; those stay owed
   *     ({@code kill_pending_by}), for this node's restart or the node that sees it stopped
   */
  private record Kills(int killed, int notRunning, int failed, List<RecordId> tried) {}

  private Kills killOnTargets(List<OrphanedRecord> orphans, Fleet fleet) {
    Map<OrphanedRecord, CompletableFuture<OrphanKill>> kills = new LinkedHashMap<>();
    for (OrphanedRecord orphan : orphans) {
      Optional<Instance> instance = fleet.findInstance(orphan.instance());
      if (instance.isEmpty()) {
        log.warn("orphan {}: instance {} is no longer in config; its process{} was not looked for",
            name(orphan), orphan.instance(), group(orphan.processGroup()));
        continue;
      }
      kills.put(orphan, start(orphan, instance.get()));
    }
    Duration wait = killBound.plus(WAIT_MARGIN);
    boolean interrupted = false;
    try {
      CompletableFuture.allOf(kills.values().toArray(CompletableFuture<?>[]::new))
          .get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      interrupted = true;
    } catch (ExecutionException | TimeoutException e) {
      // Reported per record below; a kill still pending goes on in the background.
    }
    int killed = 0;
    int notRunning = 0;
    Set<RecordId> unanswered = new HashSet<>();
    for (var entry : kills.entrySet()) {
      if (interrupted && !entry.getValue().isDone()) {
        unanswered.add(entry.getKey().id());
        log.warn("orphan {}: this daemon stops before its kill answered; the kill stays owed", name(entry.getKey()));
        continue;
      }
      OrphanKill kill = entry.getValue().getNow(
          new OrphanKill.Unreachable("no answer within " + wait.toMillis() + " ms"));
      report(entry.getKey(), kill);
      killed += kill instanceof OrphanKill.Killed ? 1 : 0;
      notRunning += kill instanceof OrphanKill.NotRunning ? 1 : 0;
    }
    List<RecordId> tried = orphans.stream().map(OrphanedRecord::id).filter(id -> !unanswered.contains(id)).toList();
    return new Kills(killed, notRunning, orphans.size() - killed - notRunning, tried);
  }

  private CompletableFuture<OrphanKill> start(OrphanedRecord orphan, Instance instance) {
    OptionalLong pgid = orphan.processGroup().isPresent() && orphan.processGroup().getAsLong() > 1
        ? orphan.processGroup() : OptionalLong.empty();
    try {
      return executor.killOrphan(instance, pgid, orphan.leaderStart(),
              ProcessMarker.of(orphan.invokeId(), orphan.id()))
          .exceptionally(e -> new OrphanKill.Unreachable(String.valueOf(e.getMessage())));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(new OrphanKill.Unreachable(e.getMessage()));
    }
  }

  private static void report(OrphanedRecord orphan, OrphanKill kill) {
    String name = name(orphan);
    if (kill instanceof OrphanKill.Killed killed) {
      log.warn("orphan {}: killed remote process group(s) {}", name, killed.processGroups());
    } else if (kill instanceof OrphanKill.NotRunning none) {
      log.info("orphan {}: nothing left running{}: {}", name, group(orphan.processGroup()),
          none.detail());
    } else if (kill instanceof OrphanKill.Unreachable unreachable) {
      log.warn("orphan {}: could not reach the target, its process{} may still run: {}", name,
          group(orphan.processGroup()), unreachable.reason());
    }
  }

  private static String name(OrphanedRecord orphan) {
    return orphan.invokeId() + "/" + orphan.instance() + " record " + orphan.id();
  }

  private static String group(OptionalLong pgid) {
    return pgid.isPresent() ? " (process group " + pgid.getAsLong() + ")" : "";
  }
}
