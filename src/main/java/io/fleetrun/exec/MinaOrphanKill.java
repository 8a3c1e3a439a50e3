package io.fleetrun.exec;

import io.fleetrun.exec.ConnectFailures.Failure;
import io.fleetrun.model.Instance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link OrphanCommand} on one target, driven by MINA's listeners: a session from a {@link
 * SessionOpener} (same permits as runs), one exec channel, its answer read when it closes. The
 * whole attempt ends within the connect timeout plus the kill grace plus {@link #MARGIN}.
 */
final class MinaOrphanKill {
  private static final Logger LOG = LoggerFactory.getLogger(MinaOrphanKill.class);
  /** Beyond connect timeout and kill grace: the /proc lookup and the channel round trips. */
  static final Duration MARGIN = Duration.ofSeconds(3);
  /** The answer is one short line; anything more is not kept. */
  private static final int MAX_OUTPUT = 4096;

  private final String command;
  private final String target;
  private final String label;
  private final ExecRuntime rt;
  private final SessionOpener opener;
  private final CompletableFuture<OrphanKill> result = new CompletableFuture<>();
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final AtomicReference<ClientSession> session = new AtomicReference<>();
  private volatile ScheduledFuture<?> deadline;

  MinaOrphanKill(Instance instance, OptionalLong processGroup, ProcessMarker marker, ExecRuntime rt) {
    this.command = OrphanCommand.build(processGroup, marker, rt.tuning().killGrace());
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

  private void onSessionOpened(ClientSession s) throws IOException {
    session.set(s);
    if (result.isDone()) {
      s.close(true);
      return;
    }
    ChannelExec ch = s.createExecChannel(command);
    ch.setOut(new BoundedSink(output));
    ch.setErr(OutputStream.nullOutputStream());
    ch.addCloseFutureListener(f -> guard(this::onChannelClosed));
    ch.open().addListener(f -> guard(() -> {
      if (f.isOpened()) {
        ch.getInvertedIn().close();
      } else {
        finish(new OrphanKill.Unreachable("cannot open an exec channel on " + target + ": "
            + ConnectFailures.describe(f.getException())));
      }
    }));
  }

  private void onChannelClosed() {
    String text;
    synchronized (output) {
      text = output.toString(StandardCharsets.UTF_8);
    }
    finish(OrphanCommand.parse(text).orElseGet(() -> new OrphanKill.Unreachable(
        target + " gave no answer to the orphan kill command")));
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

  /** Keeps at most {@link #MAX_OUTPUT} bytes. */
  private static final class BoundedSink extends OutputStream {
    private final ByteArrayOutputStream target;

    BoundedSink(ByteArrayOutputStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      synchronized (target) {
        int room = MAX_OUTPUT - target.size();
        if (room > 0) {
          target.write(b, off, Math.min(room, len));
        }
      }
    }
  }
}
