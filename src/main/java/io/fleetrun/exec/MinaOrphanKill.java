package io.fleetrun.exec;

import io.fleetrun.exec.ConnectFailures.Failure;
import io.fleetrun.model.Instance;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link RemoteKill} on one target, driven by MINA's listeners: a session from a {@link
 * SessionOpener} (same permits as runs), one exec channel, its answer read when it closes. The
 * whole attempt ends within the connect timeout plus the kill grace plus {@link #MARGIN}.
 */
final class MinaOrphanKill {
  private static final Logger LOG = LoggerFactory.getLogger(MinaOrphanKill.class);
  /** Beyond connect timeout and kill grace: the /proc lookup and the channel round trips. */
  static final Duration MARGIN = Duration.ofSeconds(3);
  private final OptionalLong processGroup;
  private final OptionalLong leaderStart;
  private final ProcessMarker marker;
  private final String target;
  private final String label;
  private final ExecRuntime rt;
  private final SessionOpener opener;
  private final CompletableFuture<OrphanKill> result = new CompletableFuture<>();
  private final AtomicReference<ClientSession> session = new AtomicReference<>();
  private volatile ScheduledFuture<?> deadline;

  MinaOrphanKill(Instance instance, OptionalLong processGroup, OptionalLong leaderStart,
      ProcessMarker marker, ExecRuntime rt) {
    // Built once here so a bad marker or group id throws to the caller, as documented.
    RemoteKill.command(processGroup, leaderStart, marker, rt.tuning().killGrace());
    this.processGroup = processGroup;
    this.leaderStart = leaderStart;
    this.marker = marker;
    this.target = instance.user() + "@" + instance.host() + ":" + instance.port();
    this.label = marker.value();
    this.rt = rt;
    this.opener = new SessionOpener(label, instance, target, rt, new SessionOpener.Listener() {
      @Override
      public void opened(ClientSession s) {
        guard(() -> onSessionOpened(s));
      }

      @Override
      public void failed(Failure failure) {
        finish(new OrphanKill.Unreachable(failure.code() + ": " + failure.info()));
      }
    });
  }

  /** How long one attempt may take at most. */
  static Duration bound(ExecRuntime rt) {
    return rt.connectTimeout().plus(rt.tuning().killGrace()).plus(MARGIN);
  }

  CompletableFuture<OrphanKill> begin() {
    Duration bound = bound(rt);
    try {
      deadline = rt.timer().schedule(() -> finish(new OrphanKill.Unreachable(
              "no answer from " + target + " within " + bound.toMillis() + " ms")),
          bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      finish(new OrphanKill.Unreachable("the SSH executor is closed"));
      return result;
    }
    opener.begin();
    return result;
  }

  private void onSessionOpened(ClientSession s) {
    session.set(s);
    if (result.isDone()) {
      s.close(true);
      return;
    }
    RemoteKill.run(s, processGroup, leaderStart, marker, rt.tuning().killGrace(), target,
            new CompletableFuture<>())
        .answer().thenAccept(this::finish);
  }

  private void finish(OrphanKill kill) {
    if (!result.complete(kill)) {
      return;
    }
    ScheduledFuture<?> timer = deadline;
    if (timer != null) {
      timer.cancel(false);
    }
    ClientSession s = session.get();
    if (s != null) {
      s.close(true); // gives the session permit back
    } else {
      opener.cancel();
    }
    LOG.debug("{}: orphan kill on {}: {}", label, target, kill);
  }

  private void guard(SessionOpener.ThrowingRunnable step) {
    try {
      step.run();
    } catch (Exception | Error e) {
      finish(new OrphanKill.Unreachable(target + ": " + ConnectFailures.describe(e)));
    }
  }
}
