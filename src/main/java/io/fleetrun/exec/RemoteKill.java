package io.fleetrun.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;

/**
 * Ends a run on its target: the one marker-checked {@link OrphanCommand} (TERM, grace, KILL),
 * for a stop, a timeout and crash recovery alike, run on a new exec channel of an open session.
 * The session is the caller's: a run's own session today, a kept one later; this class never
 * opens or closes a session.
 */
final class RemoteKill {
  /** The answer is one short line at the end; only this much of the output is kept. */
  private static final int MAX_OUTPUT = 4096;

  private RemoteKill() {}

  /**
   * The command that ends the run marked {@code marker}: its process group {@code processGroup}
   * if that group's leader started at {@code leaderStart} or carries the marker, else (no group
   * given) every group whose processes carry it in their environment.
   */
  static String command(OptionalLong processGroup, OptionalLong leaderStart, ProcessMarker marker,
      Duration grace) {
    return OrphanCommand.build(processGroup, leaderStart, marker, grace);
  }

  /**
   * A kill under way on one channel. Its {@link #answer} completes (never exceptionally) once the
   * channel is gone from the session, not before: a channel whose open the server has not
   * confirmed still counts against the server's channel limit, so whoever counts channels must
   * wait for it.
   */
  static final class Pending {
    private final CompletableFuture<OrphanKill> answer = new CompletableFuture<>();
    private volatile OpenFuture opening;
    private volatile String givenUp;

    /** The command's answer, or {@link OrphanKill.Unreachable} when it gave none. */
    CompletableFuture<OrphanKill> answer() {
      return answer;
    }

    /**
     * Gives up a channel open the server has not confirmed yet: the channel cannot be closed
     * before the server answers the open (the close names the server's channel number), so MINA
     * closes it as soon as the server confirms it, or drops it when the server refuses; then
     * {@link #answer} completes with {@code reason}. A confirmed open is not touched. (MINA still
     * sends the exec request with a late confirmation, just before its close: the kill command
     * may start then, aimed at the same run, marker-checked as ever.) Returns whether it gave
     * the open up.
     */
    boolean giveUpOpening(String reason) {
      OpenFuture f = opening;
      if (f == null || f.isDone()) {
        return false;
      }
      givenUp = reason;
      f.cancel();
      if (!f.isCanceled()) {
        givenUp = null; // confirmed meanwhile: the command answers
        return false;
      }
      return true;
    }
  }

  /**
   * Runs {@link #command} on a new exec channel of {@code session}. The answer comes when the
   * channel closes, with the command's answer, or {@link OrphanKill.Unreachable} when the channel
   * cannot be opened, was {@linkplain Pending#giveUpOpening given up} or gives no answer.
   *
   * @param target names the target in reasons, like {@code root@web-1:22}
   * @param opened completed once the channel is open (the command runs from then on)
   */
  static Pending run(ClientSession session, OptionalLong processGroup,
      OptionalLong leaderStart, ProcessMarker marker, Duration grace, String target,
      CompletableFuture<Void> opened) {
    Pending pending = new Pending();
    CompletableFuture<OrphanKill> result = pending.answer;
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    try {
      ChannelExec ch = session.createExecChannel(command(processGroup, leaderStart, marker, grace));
      ch.setOut(new TailSink(answer));
      ch.setErr(OutputStream.nullOutputStream());
      ch.addCloseFutureListener(f -> {
        String text;
        synchronized (answer) {
          text = answer.toString(StandardCharsets.UTF_8);
        }
        String givenUp = pending.givenUp;
        result.complete(givenUp != null ? new OrphanKill.Unreachable(givenUp)
            : OrphanCommand.parse(text).orElseGet(() -> new OrphanKill.Unreachable(
                target + " gave no answer to the kill command")));
      });
      OpenFuture opening = ch.open();
      pending.opening = opening;
      opening.addListener(f -> {
        if (f.isCanceled()) {
          return; // given up: the close listener answers once MINA has closed the channel
        }
        if (!f.isOpened()) {
          result.complete(new OrphanKill.Unreachable("cannot open an exec channel on " + target
              + ": " + ConnectFailures.describe(f.getException())));
          ch.close(true);
          return;
        }
        opened.complete(null);
        try {
          ch.getInvertedIn().close();
        } catch (IOException e) {
          ch.close(true); // the close listener reports it
        }
      });
    } catch (IOException | RuntimeException e) {
      result.complete(new OrphanKill.Unreachable(target + ": " + ConnectFailures.describe(e)));
    }
    return pending;
  }

  /**
   * Keeps the last {@link #MAX_OUTPUT} bytes: the answer is the last line, and a login shell
   * may print a long banner before the command runs.
   */
  private static final class TailSink extends OutputStream {
    private final ByteArrayOutputStream target;

    TailSink(ByteArrayOutputStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      synchronized (target) {
        if (len >= MAX_OUTPUT) {
          target.reset();
          target.write(b, off + len - MAX_OUTPUT, MAX_OUTPUT);
          return;
        }
        int excess = target.size() + len - MAX_OUTPUT;
        if (excess > 0) {
          byte[] kept = target.toByteArray();
          target.reset();
          target.write(kept, excess, kept.length - excess);
        }
        target.write(b, off, len);
      }
    }
  }
}
