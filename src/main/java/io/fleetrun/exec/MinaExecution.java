package io.fleetrun.exec;

import io.fleetrun.exec.ConnectFailures.Failure;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.Instance;
import io.fleetrun.model.Output;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run on one instance, driven by MINA's future listeners (no thread of its own): get a session
 * from a {@link SessionOpener}, open the exec channel, read the process group id, and end by exit,
 * timeout or stop; those two end the script on the target through a {@link RunKill}. Every path
 * ends in {@link #finish} exactly once; state changes happen under this object's lock, MINA calls
 * happen outside it.
 */
final class MinaExecution implements Execution {
  private static final Logger LOG = LoggerFactory.getLogger(MinaExecution.class);
  /** How long the main channel gets to close by itself after the kill command ended. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private enum Phase { CONNECTING, OPENING, RUNNING, ENDING, DONE }

  private enum EndReason { TIMEOUT, STOP }

  private final ExecutionRequest request;
  private final ExecRuntime rt;
  private final String command;
  private final String target;
  private final Instant created;
  private final CompletableFuture<Instant> requested = new CompletableFuture<>();
  private final CompletableFuture<RemoteGroup> started = new CompletableFuture<>();
  private final CompletableFuture<ExecutionOutcome> outcome = new CompletableFuture<>();
  private final OutputBuffer output;
  private final PgidLineFilter stdout;
  private final ConnectionPool pool;
  private final RunKill kill;

  private final AtomicBoolean sessionReleased = new AtomicBoolean();
  /** Completes when the run has given its session up (or never had one). */
  private final CompletableFuture<Void> released = new CompletableFuture<>();

  // Guarded by this.
  private Phase phase = Phase.CONNECTING;
  private ClientSession session;
  private ConnectionPool.Lease lease;
  private boolean retried;
  private ChannelExec channel;
  private OpenFuture channelOpen;
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  private EndReason endReason;

  /**
   * @param command the wrapped remote command, or null when the script could not be wrapped
   * @param marker the marker {@code command} carries (unique even for an anonymous request)
   * @param token the pgid line's token {@code command} prints
   */
  MinaExecution(ExecutionRequest request, ExecRuntime rt, ConnectionPool pool, int outputLimit,
      String command, ProcessMarker marker, String token) {
    this.request = request;
    this.rt = rt;
    this.pool = pool;
    this.command = command;
    Instance instance = request.instance();
    this.target = instance.user() + "@" + instance.host() + ":" + instance.port();
    this.created = rt.clock().instant();
    this.output = new OutputBuffer(outputLimit);
    this.stdout = new PgidLineFilter(output, token, this::onPgid);
    this.kill = new RunKill(request.label(), target, marker, rt.tuning().killGrace(),
        this::scheduleLocked, () -> guard(this::onKillsDone));
  }

  @Override
  public CompletableFuture<Instant> requested() {
    return requested;
  }

  @Override
  public CompletableFuture<RemoteGroup> started() {
    return started;
  }

  @Override
  public CompletableFuture<ExecutionOutcome> outcome() {
    return outcome;
  }

  @Override
  public void stop() {
    guard(() -> {
      // Nothing runs on the target yet while connecting: dropping the attempt is enough. The phase
      // test and the end are one locked step, else the exec request could slip in between and
      // leave the script running while the record says Stopped.
      if (!finishIn(Phase.CONNECTING, ExecutionOutcome.Stopped::new)) {
        requestKill(EndReason.STOP);
      }
    });
  }

  /** Bytes of output buffer this run holds (none until it prints), for tests. */
  int outputAllocated() {
    return output.allocated();
  }

  /** Ends the run as interrupted if it still has not ended (the executor is closing). */
  void abandon(String why) {
    fail(new Failure(ErrorCode.ExecutionInterrupted, why));
  }

  void begin() {
    if (command != null) { // else the executor finishes it with the reason the script was refused
      connect(false);
    }
  }

  /**
   * Asks the pool for a connection; {@code fresh}: a new one (a kept one just failed). A kept
   * connection is reused only after the checks that may block ({@link ReuseChecks}).
   */
  private void connect(boolean fresh) {
    try {
      ReuseChecks.beforeReuse(rt, pool, request, fresh,
          addresses -> guard(() -> acquire(fresh, addresses)));
    } catch (RejectedExecutionException e) {
      fail(new Failure(ErrorCode.InternalError, "the SSH executor is closed"));
    }
  }

  private void acquire(boolean fresh, Optional<Set<InetAddress>> addresses) {
    ConnectionPool.Lease asked = pool.acquire(request.label(), request.instance(), target, fresh,
        addresses, new ConnectionPool.Listener() {
          @Override
          public void granted(ConnectionPool.Lease granted) {
            guard(() -> onSessionOpened(granted));
          }

          @Override
          public void failed(Failure failure) {
            fail(failure);
          }
        });
    boolean ended;
    synchronized (this) {
      ended = phase == Phase.DONE && lease == null;
      if (!ended && lease == null) {
        lease = asked; // still waiting: finish withdraws it
      }
    }
    if (ended) {
      asked.release(); // ended while asking
    }
  }

  private void onSessionOpened(ConnectionPool.Lease granted) throws IOException {
    boolean keep;
    ClientSession s = granted.session();
    synchronized (this) {
      keep = phase == Phase.CONNECTING;
      if (keep) {
        session = s;
        lease = granted;
        phase = Phase.OPENING;
        // From here on the script may run: the timeout counts even if the server never confirms
        // the channel (requestKill handles OPENING), else only heartbeats would bound the run.
        schedule(() -> requestKill(EndReason.TIMEOUT), request.timeout());
      }
    }
    if (!keep) {
      granted.release(); // stopped while logging in
      return;
    }
    ChannelExec ch;
    try {
      ch = s.createExecChannel(command);
    } catch (IOException | IllegalStateException e) {
      onOpenFailed(e); // a kept connection that closed just now
      return;
    }
    ch.setOut(stdout);
    ch.setErr(output.stream());
    synchronized (this) {
      channel = ch;
    }
    ch.addCloseFutureListener(f -> guard(() -> onChannelClosed(ch)));
    OpenFuture opening = ch.open();
    synchronized (this) {
      channelOpen = opening;
    }
    opening.addListener(f -> guard(() -> onOpened(ch, f)));
  }

  private void onOpened(ChannelExec ch, OpenFuture future) throws IOException {
    synchronized (this) {
      if (ch != channel) {
        return; // a channel given up for a retry
      }
    }
    if (!future.isOpened()) {
      onOpenFailed(future.getException());
      return;
    }
    // MINA sends the exec request as the server confirms the channel, before this listener runs.
    requested.complete(rt.clock().instant());
    ch.getInvertedIn().close(); // EOF on stdin: scripts never wait for input
    synchronized (this) {
      if (phase == Phase.OPENING) {
        phase = Phase.RUNNING;
      }
    }
  }

  /**
   * The exec channel did not open. Its exec request was never sent (MINA sends it with the open
   * confirmation), so the script did not run: on a kept connection that may just have died
   * unnoticed, the run goes on once over a fresh connection; else it could not run.
   */
  private void onOpenFailed(Throwable why) {
    ConnectionPool.Lease broken;
    EndReason reason;
    boolean retry;
    List<ScheduledFuture<?>> pending;
    synchronized (this) {
      reason = endReason;
      broken = lease;
      retry = reason == null && phase == Phase.OPENING && !retried && broken != null
          && broken.reused() && !requested.isDone();
      pending = List.of();
      if (retry) {
        retried = true;
        phase = Phase.CONNECTING;
        session = null;
        channel = null;
        channelOpen = null;
        lease = null;
        pending = List.copyOf(timers); // the run timeout starts again with the new connection
        timers.clear();
      }
    }
    if (retry) {
      pending.forEach(t -> t.cancel(false));
      LOG.debug("{}: kept connection to {} failed ({}); retrying on a fresh one", request.label(),
          target, ConnectFailures.describe(why));
      broken.discard();
      connect(true);
    } else if (reason != null) {
      finish(ended(reason));
    } else {
      fail(new Failure(ErrorCode.ConnectionLost, "cannot open an exec channel on " + target
          + ": " + ConnectFailures.describe(why)));
    }
  }

  private void onPgid(RemoteGroup group) {
    started.complete(group);
    kill.pgid(group);
  }

  private void requestKill(EndReason reason) {
    ClientSession s;
    synchronized (this) {
      if (phase != Phase.OPENING && phase != Phase.RUNNING) {
        return;
      }
      phase = Phase.ENDING;
      endReason = reason;
      s = session;
      // Whatever happens on the target, the run ends within this bound.
      schedule(() -> finish(ended(reason)), kill.bound().plus(CLOSE_WAIT).plusSeconds(5));
    }
    kill.start(s, stdout::doneScanning);
  }

  private void onKillsDone() {
    closeMainChannel();
    boolean ended;
    synchronized (this) {
      ended = phase == Phase.DONE;
    }
    if (ended) {
      releaseSession(); // the run ended before its kill answered: the kill is done now
    }
  }

  private void closeMainChannel() {
    ChannelExec ch;
    EndReason reason;
    synchronized (this) {
      ch = channel;
      reason = endReason;
      if (phase == Phase.DONE) {
        return;
      }
      if (ch != null) {
        schedule(() -> finish(ended(reason)), CLOSE_WAIT);
      }
    }
    if (ch == null) {
      finish(ended(reason));
    } else {
      ch.close(false); // graceful: output already on its way is still kept
    }
  }

  private void onChannelClosed(ChannelExec ch) {
    OpenFuture opening;
    synchronized (this) {
      if (ch != channel) {
        return; // a channel given up for a retry
      }
      opening = channelOpen;
    }
    if (opening == null || !opening.isOpened()) {
      // Closed before the open was confirmed (this may come before the open listener): the
      // exec request, sent only with the confirmation, never went out.
      onOpenFailed(opening == null ? null : opening.getException());
      return;
    }
    stdout.finish();
    Integer status = ch.getExitStatus();
    String signal = ch.getExitSignal();
    EndReason reason;
    boolean killed;
    synchronized (this) {
      reason = endReason;
      killed = kill.sent();
    }
    if (reason != null && (killed || (status == null && signal == null))) {
      finish(ended(reason));
    } else if (status != null) {
      finish(out -> new ExecutionOutcome.Exited(status, out));
    } else if (signal != null) {
      finish(out -> new ExecutionOutcome.Signaled(signal, out));
    } else {
      fail(new Failure(ErrorCode.ConnectionLost,
          "connection to " + target + " closed before the script reported its end"));
    }
  }

  private static Function<Output, ExecutionOutcome> ended(EndReason reason) {
    return reason == EndReason.TIMEOUT
        ? ExecutionOutcome.TimedOut::new
        : ExecutionOutcome.Stopped::new;
  }

  private void fail(Failure failure) {
    finish(out -> new ExecutionOutcome.CouldNotRun(failure.code(), failure.info(), out));
  }

  /** Ends the run with the outcome {@code make} builds from the output; only the first counts. */
  boolean finish(Function<Output, ExecutionOutcome> make) {
    return finishIn(null, make);
  }

  /**
   * Like {@link #finish}, but only while the run is in phase {@code expected} (any phase but DONE
   * when null), tested under the same lock that ends it.
   */
  private boolean finishIn(Phase expected, Function<Output, ExecutionOutcome> make) {
    ClientSession s;
    ConnectionPool.Lease waiting;
    List<ScheduledFuture<?>> pending;
    synchronized (this) {
      if (phase == Phase.DONE || (expected != null && phase != expected)) {
        return false;
      }
      phase = Phase.DONE;
      s = session;
      waiting = s == null ? lease : null;
      pending = List.copyOf(timers);
      timers.clear();
    }
    pending.forEach(t -> t.cancel(false));
    if (s == null) {
      if (waiting != null) {
        waiting.release(); // withdraws the wait for a connection
      }
      markReleased();
    } else if (!kill.answering()) {
      releaseSession();
    } else {
      // The script's channel closed while its kill still runs (TERM done, KILL maybe not yet):
      // the outcome is reported now, the session stays until the kill answers (onKillsDone).
      try {
        rt.timer().schedule(this::releaseSession, kill.bound().toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        releaseSession();
      }
    }
    stdout.finish();
    ExecutionOutcome result = make.apply(output.snapshot());
    requested.cancel(false);
    started.cancel(false);
    outcome.complete(result);
    LOG.debug("{}: {} on {} after {} ms", request.label(), result.getClass().getSimpleName(),
        target, Duration.between(created, rt.clock().instant()).toMillis());
    return true;
  }

  /** Gives the session up, once: only after the run ended and its kills answered (or timed out). */
  private void releaseSession() {
    ConnectionPool.Lease held;
    synchronized (this) {
      held = session == null ? null : lease;
    }
    if (held != null && sessionReleased.compareAndSet(false, true)) {
      if (kill.abandon()) {
        // Past the kill's bound, its channel still on the connection (an open the server never
        // answered): no other run may count on that channel being free.
        LOG.info("{}: the kill channel on {} is still open after {} s; its connection takes no"
            + " new run", request.label(), target, kill.bound().toSeconds());
        held.discard();
      } else {
        held.release(); // the connection stays for the next run, or closes (keepAlive 0)
      }
      markReleased();
    }
  }

  private void markReleased() {
    rt.live().remove(this); // only now: close() waits for the kill that still needs the session
    released.complete(null);
  }

  /** Completes once the run ended and gave its session up: after its kills answered. */
  CompletableFuture<Void> released() {
    return released;
  }

  private synchronized void scheduleLocked(SessionOpener.ThrowingRunnable action, Duration delay) {
    if (phase != Phase.DONE) {
      schedule(action, delay);
    }
  }

  /** Call with this object's lock held. */
  private void schedule(SessionOpener.ThrowingRunnable action, Duration delay) {
    try {
      timers.add(rt.timer().schedule(() -> guard(action), delay.toNanos(), TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      LOG.debug("{}: timer is shut down", request.label());
    }
  }

  /** Runs a step; an unexpected error ends the run instead of vanishing in a MINA thread. */
  private void guard(SessionOpener.ThrowingRunnable step) {
    try {
      step.run();
    } catch (Exception | Error e) {
      LOG.warn("{}: unexpected error on {}", request.label(), target, e);
      fail(new Failure(ErrorCode.InternalError, ConnectFailures.describe(e)));
    }
  }
}
