package io.fleetrun.exec;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a stopped or timed-out run is ended on its target, with {@link RemoteKill}s over a second
 * channel of the run's session: aimed at the process group once its id is known; else, when the
 * id did not come within {@link #PGID_WAIT} or cannot come any more (the target printed too much
 * before it), at whatever carries the run's marker. A group id that arrives after a marker kill
 * gets its own kill, and a group kill that finds nothing of the run ({@code not-ours} or
 * {@code none}) is followed by a marker kill: cheap, and it cannot hit another program. At most
 * one kill of each kind per run, and one kill channel at a time: a kill that comes while the
 * other runs (a group id that arrives during a marker kill) waits for it, so a run holds at most
 * two channels, its own and one kill's, as {@link ConnectionPool} counts it (OpenSSH's
 * MaxSessions refuses the channel that would go beyond). A kill channel whose open the server
 * does not confirm within {@link #OPEN_WAIT} is given up: the run goes on to its end, but the
 * channel still takes the kill's place until it is gone from the session (the server answered
 * its open, or the session closed), so a next kill waits for that, and {@link #answering} stays
 * true (the run keeps its session; onKillsDone comes again when it is gone).
 */
final class RunKill {
  private static final Logger LOG = LoggerFactory.getLogger(RunKill.class);
  /** How long a stop waits for the pgid line before it kills by the run's marker instead. */
  static final Duration PGID_WAIT = Duration.ofSeconds(5);
  /**
   * How long a kill's channel may take to open. An open one is waited for until it answers (some
   * servers, MINA's among them, end a command whose channel is closed: closing early could stop
   * the kill before its TERM); the run's own bound caps that wait.
   */
  static final Duration OPEN_WAIT = Duration.ofSeconds(2);

  /** Runs {@code action} after {@code delay} unless the run has ended by then. */
  interface Scheduler {
    void schedule(SessionOpener.ThrowingRunnable action, Duration delay);
  }

  private final String label;
  private final String target;
  private final ProcessMarker marker;
  private final Duration grace;
  private final Scheduler scheduler;
  private final Runnable onKillsDone;

  // Guarded by this.
  private RemoteGroup group;
  private ClientSession session;
  private boolean started;
  private boolean groupKillSent;
  private boolean markerKillSent;
  private int running; // kills sent and not answered: 0 or 1, one kill channel at a time
  private RemoteKill.Pending current; // the kill whose channel is on the session
  /** A kill channel was given up and is not gone yet: it still takes the one kill place. */
  private boolean lingering;
  /** The kill that waits for a lingering channel to go (it counts in {@link #running}). */
  private Optional<RemoteGroup> deferred;
  private boolean abandoned;
  /** Kills asked for while another one runs, sent in turn as each answers. */
  private final ArrayDeque<Optional<RemoteGroup>> queued = new ArrayDeque<>();

  /**
   * @param scheduler runs the wait for a late pgid line (cancelled when the run ends)
   * @param onKillsDone called, outside any lock, when every kill started so far has answered,
   *     and again when a kill channel given up is gone at last
   */
  RunKill(String label, String target, ProcessMarker marker, Duration grace, Scheduler scheduler,
      Runnable onKillsDone) {
    this.label = label;
    this.target = target;
    this.marker = marker;
    this.grace = grace;
    this.scheduler = scheduler;
    this.onKillsDone = onKillsDone;
  }

  /** The longest a kill sequence takes before the caller should give up waiting for it. */
  Duration bound() {
    return PGID_WAIT.plus(grace.plus(OPEN_WAIT).multipliedBy(2));
  }

  /** The run's group is known now; kills it at once if the run is already being ended. */
  void pgid(RemoteGroup known) {
    boolean killNow;
    synchronized (this) {
      group = known;
      killNow = started;
    }
    if (killNow) {
      send(Optional.of(known));
    }
  }

  /**
   * Starts ending the run.
   *
   * @param over the session kills go over: the run's own (issue 7: a kept one)
   * @param pgidCannotCome true when the pgid line can no longer arrive: no use waiting for it
   */
  void start(ClientSession over, BooleanSupplier pgidCannotCome) {
    RemoteGroup known;
    synchronized (this) {
      if (started) {
        return;
      }
      started = true;
      session = over;
      known = group;
    }
    if (known != null) {
      send(Optional.of(known));
    } else if (pgidCannotCome.getAsBoolean()) {
      send(Optional.empty());
    } else {
      scheduler.schedule(this::onPgidWaitOver, PGID_WAIT);
    }
  }

  /** Whether any kill was sent. */
  synchronized boolean sent() {
    return groupKillSent || markerKillSent;
  }

  /**
   * Whether a kill sent is still waiting for its answer: its channel needs the session until then
   * (onKillsDone follows when the last one answers).
   */
  synchronized boolean answering() {
    return running > 0 || lingering;
  }

  /**
   * The run gives its session up (past {@link #bound}, the last kill still unanswered): no kill
   * starts any more, and a kill channel still not confirmed is given up. Returns whether a kill
   * channel may still be on the session: then the connection must take no other run.
   */
  boolean abandon() {
    RemoteKill.Pending pending;
    synchronized (this) {
      abandoned = true;
      queued.clear();
      if (deferred != null) {
        deferred = null;
        running--;
      }
      if (running == 0 && !lingering) {
        return false;
      }
      pending = current;
    }
    if (pending != null) {
      pending.giveUpOpening("the run gave its session up before the kill channel opened on "
          + target);
    }
    return true;
  }

  private void onPgidWaitOver() {
    synchronized (this) {
      if (group != null) {
        return;
      }
    }
    LOG.warn("{}: {} reported no process group within {} s; ending the run by its marker {}",
        label, target, PGID_WAIT.toSeconds(), marker);
    send(Optional.empty());
  }

  private void send(Optional<RemoteGroup> aim) {
    sendUnless(aim, false);
  }

  /**
   * Sends a kill aimed at {@code aim} (the marker when empty) unless one of its kind was sent;
   * a marker kill also not after a group kill unless {@code afterGroupKill}.
   */
  private void sendUnless(Optional<RemoteGroup> aim, boolean afterGroupKill) {
    ClientSession over;
    synchronized (this) {
      boolean sent = aim.isPresent()
          ? groupKillSent
          : markerKillSent || (groupKillSent && !afterGroupKill);
      if (sent || abandoned) {
        return;
      }
      if (aim.isPresent()) {
        groupKillSent = true;
      } else {
        markerKillSent = true;
      }
      if (running > 0) {
        queued.add(aim); // one kill channel at a time: sent when the running kill answers
        return;
      }
      running++;
      over = session;
    }
    launch(aim, over);
  }

  private void launch(Optional<RemoteGroup> aim, ClientSession over) {
    CompletableFuture<Void> opened = new CompletableFuture<>();
    OptionalLong pgid = aim.map(g -> OptionalLong.of(g.id())).orElse(OptionalLong.empty());
    OptionalLong leaderStart = aim.map(RemoteGroup::leaderStart).orElse(OptionalLong.empty());
    RemoteKill.Pending pending =
        RemoteKill.run(over, pgid, leaderStart, marker, grace, target, opened);
    synchronized (this) {
      current = pending;
    }
    AtomicBoolean reported = new AtomicBoolean();
    scheduler.schedule(() -> {
      String reason = "no kill channel opened on " + target + " within "
          + OPEN_WAIT.toMillis() + " ms";
      if (pending.giveUpOpening(reason)) {
        synchronized (this) {
          lingering = true; // its place stays taken until MINA has closed it
        }
        if (reported.compareAndSet(false, true)) {
          onDone(aim, new OrphanKill.Unreachable(reason));
        }
      }
    }, OPEN_WAIT);
    pending.answer().thenAccept(result -> {
      if (reported.compareAndSet(false, true)) {
        onDone(aim, result);
      } else {
        onGone(); // the channel given up is gone now
      }
    });
  }

  private void onDone(Optional<RemoteGroup> aim, OrphanKill result) {
    String what = aim.isPresent() ? "process group " + aim.get().id() : "marker " + marker;
    // The run keeps its session until this answer came (MinaExecution), so no answer is news.
    if (result instanceof OrphanKill.Killed) {
      LOG.debug("{}: ended {} on {}: {}", label, what, target, result);
    } else {
      LOG.info("{}: kill by {} on {}: {}", label, what, target, result);
    }
    if (aim.isPresent() && result instanceof OrphanKill.NotRunning n
        && !n.detail().equals(OrphanCommand.GONE)) {
      // Before the count goes down: onKillsDone must wait for this kill too.
      sendUnless(Optional.empty(), true);
    }
    Optional<RemoteGroup> next;
    ClientSession over;
    boolean allAnswered = false;
    synchronized (this) {
      next = queued.poll();
      over = session;
      if (next == null) {
        running--; // nothing waits: every kill answered (a given-up channel may linger)
        allAnswered = true;
        if (!lingering) {
          current = null;
        }
      } else if (lingering) {
        deferred = next; // sent when the given-up channel is gone
        next = null;
      }
    }
    if (next != null) {
      launch(next, over); // this kill's channel is closed: the next one takes its place
    } else if (allAnswered) {
      onKillsDone.run();
    }
  }

  /** A kill channel given up (never confirmed in time) is gone from the session at last. */
  private void onGone() {
    Optional<RemoteGroup> next;
    ClientSession over;
    synchronized (this) {
      lingering = false;
      next = deferred;
      deferred = null;
      over = session;
      if (next == null) {
        current = null;
      }
    }
    if (next != null) {
      launch(next, over);
    } else {
      onKillsDone.run(); // the run may give its session up now
    }
  }
}
