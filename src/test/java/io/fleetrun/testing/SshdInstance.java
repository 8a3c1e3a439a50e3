package io.fleetrun.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** One foreground {@code sshd -D} process listening on up to 16 loopback ports. */
final class SshdInstance {
  /**
   * OpenSSH's MAX_LISTEN_SOCKS: one sshd binds at most 16 sockets ("Too many listen sockets").
   */
  static final int MAX_PORTS = 16;

  private static final Duration POLL = Duration.ofMillis(20);

  private final Process process;
  private final List<Integer> ports;
  private final Path log;

  private SshdInstance(Process process, List<Integer> ports, Path log) {
    this.process = process;
    this.ports = List.copyOf(ports);
    this.log = log;
  }

  /**
   * Starts sshd on {@code ports} and waits (at most {@code timeout}) until it has bound them,
   * which it signals by writing its PidFile. Returns empty when a port was taken by someone else
   * in the meantime, so that the caller can retry with other ports.
   */
  static Optional<SshdInstance> tryStart(
      Path sshd, SshdFiles files, List<Integer> ports, int attempt, Duration timeout) {
    if (ports.isEmpty() || ports.size() > MAX_PORTS) {
      throw new IllegalArgumentException("1.." + MAX_PORTS + " ports per sshd, got " + ports);
    }
    String name = "sshd." + ports.get(0) + "." + attempt;
    Path pidFile = files.dir.resolve(name + ".pid");
    Path log = files.dir.resolve(name + ".log");
    List<String> argv = new ArrayList<>();
    argv.addAll(List.of(sshd.toString(), "-D", "-f", files.config.toString()));
    ports.forEach(p -> argv.addAll(List.of("-p", String.valueOf(p))));
    argv.addAll(List.of("-o", "PidFile=" + pidFile, "-E", log.toString()));
    Process process;
    try {
      // No setsid: sshd stays in the JVM's process group, so a Ctrl-C of the build ends it too.
      process =
          new ProcessBuilder(argv)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + sshd, e);
    }
    SshdInstance instance = new SshdInstance(process, ports, log);
    boolean bound = awaitPidFile(process, pidFile, timeout);
    if (instance.portClash()) {
      // sshd keeps running on the ports it could bind; this attempt is useless either way.
      instance.killNow();
      return Optional.empty();
    }
    if (!bound) {
      instance.killNow();
      throw new IllegalStateException(
          "sshd for ports " + ports + " did not start within " + timeout + ": "
              + instance.logText());
    }
    return Optional.of(instance);
  }

  private static boolean awaitPidFile(Process process, Path pidFile, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        if (nonEmpty(pidFile)) {
          return true;
        }
        if (process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
          return false; // sshd exited: its log says why
        }
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean nonEmpty(Path file) {
    try {
      return Files.size(file) > 0;
    } catch (IOException e) {
      return false;
    }
  }

  private boolean portClash() {
    String text = logText();
    return text.contains("Bind to port") || text.contains("Cannot bind any address");
  }

  String logText() {
    try {
      return Files.exists(log) ? Files.readString(log).strip() : "(no log " + log + ")";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  List<Integer> ports() {
    return ports;
  }

  long pid() {
    return process.pid();
  }

  /**
   * The sshd listener and, taken now, every live descendant (per-connection sshd, the user's
   * shell and what it started). Taken before signalling: once the listener dies the tree is
   * reparented and can no longer be found from it.
   */
  List<ProcessHandle> processTree() {
    return Stream.concat(Stream.of(process.toHandle()), process.descendants())
        .collect(Collectors.toList());
  }

  private void killNow() {
    processTree().forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
