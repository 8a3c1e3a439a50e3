package io.fleetrun.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Real OpenSSH {@code sshd} targets on 127.0.0.1, started by a test and stopped by {@link
 * #close()}. Every target is a port; up to 16 ports share one sshd process. Login is {@code root}
 * with the generated {@link #clientKey()}; the host key is pinned in {@link #knownHosts()}.
 *
 * <pre>
 * {@literal @}TempDir static Path dir;
 * static OpenSshTargets targets;
 * {@literal @}BeforeAll static void startTargets() { targets = OpenSshTargets.start(dir, 3); }
 * {@literal @}AfterAll static void stopTargets() { targets.close(); }
 * // ssh -i targets.clientKey() -o UserKnownHostsFile=targets.knownHosts()
 * //     -p targets.ports().get(0) root@127.0.0.1 ...
 * </pre>
 *
 * <p>When sshd or ssh-keygen is missing or the JVM is not root, {@link #start} skips the calling
 * test class on a developer's box (so {@code mvn verify} stays green without OpenSSH) and fails it
 * under {@code CI=true} (see {@link RequiredTool}). See also {@link OpenSshTargetsExtension}.
 */
public final class OpenSshTargets implements AutoCloseable {
  /** The OpenSSH server this fixture runs (Debian's openssh-server). */
  public static final Path SSHD = Path.of("/usr/sbin/sshd");

  private static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STOP_GRACE = Duration.ofSeconds(3);
  private static final int START_ATTEMPTS = 5;
  /** Where sshd insists on its privilege-separation chroot. */
  private static final Path PRIVSEP_DIR = Path.of("/run/sshd");

  private final SshdFiles files;
  private final List<SshdInstance> instances;
  private final List<Integer> ports;
  private final Thread shutdownHook;
  private boolean closed;

  private OpenSshTargets(SshdFiles files, List<SshdInstance> instances) {
    this.files = files;
    this.instances = List.copyOf(instances);
    this.ports = instances.stream().flatMap(i -> i.ports().stream()).toList();
    // Kill the sshd processes even when a test run is aborted before @AfterAll.
    this.shutdownHook = new Thread(() -> kill(processTrees()), "openssh-targets-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Why real OpenSSH targets cannot run here, or empty when they can. */
  public static Optional<String> unavailableReason() {
    if (!Files.isExecutable(SSHD)) {
      return Optional.of(SSHD + " not installed; .ci/run installs openssh-server");
    }
    if (sshKeygen().isEmpty()) {
      return Optional.of("ssh-keygen not installed; .ci/run installs openssh-client");
    }
    if (!runningAsRoot()) {
      return Optional.of(
          "not running as root; the OpenSSH targets need sshd as root and root login");
    }
    return Optional.empty();
  }

  /**
   * When targets cannot run here, skips the current test (the class, from {@code @BeforeAll}) on a
   * developer's box and fails it under CI; see {@link RequiredTool}.
   */
  public static void requireAvailable() {
    RequiredTool.require("sshd", unavailableReason());
  }

  /**
   * Generates keys and config in {@code dir}, starts sshd on {@code count} free loopback ports and
   * returns once every port answers with an SSH banner (at most ~10 s).
   */
  public static OpenSshTargets start(Path dir, int count) {
    return start(dir, count, List.of());
  }

  /**
   * Same, with {@code extraConfig} lines appended to sshd_config, for a target that behaves
   * unlike the default one (e.g. {@code SetEnv BASH_ENV=/path/banner.sh}: a login shell that
   * prints before fleetrun's command runs). The variables of a {@code SetEnv} line join the
   * default ones, since sshd applies only the first {@code SetEnv} line it reads.
   */
  public static OpenSshTargets start(Path dir, int count, List<String> extraConfig) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    requireAvailable();
    ensurePrivsepDir();
    SshdFiles files = new SshdFiles(dir.toAbsolutePath());
    files.generateKeys(sshKeygen().orElseThrow().toString());
    files.writeConfig(extraConfig);
    checkConfig(files);
    List<SshdInstance> started = new ArrayList<>();
    OpenSshTargets targets = null;
    try {
      Set<Integer> used = new HashSet<>();
      for (int first = 0; first < count; first += SshdInstance.MAX_PORTS) {
        int size = Math.min(SshdInstance.MAX_PORTS, count - first);
        started.add(startOne(files, size, used));
      }
      targets = new OpenSshTargets(files, started);
      targets.awaitBanners();
      files.writeKnownHosts(targets.ports());
      return targets;
    } catch (RuntimeException | Error e) {
      if (targets != null) {
        targets.close();
      } else {
        kill(started.stream().flatMap(i -> i.processTree().stream()).toList());
      }
      throw e;
    }
  }

  private static SshdInstance startOne(SshdFiles files, int size, Set<Integer> used) {
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      List<Integer> ports = FreeLoopbackPorts.pick(size, used);
      used.addAll(ports);
      Optional<SshdInstance> instance =
          SshdInstance.tryStart(SSHD, files, ports, attempt, START_TIMEOUT);
      if (instance.isPresent()) {
        return instance.get();
      }
    }
    throw new IllegalStateException(
        "sshd could not bind free ports in " + START_ATTEMPTS + " attempts; logs in " + files.dir);
  }

  /** The loopback ports, one per target, in start order. */
  public List<Integer> ports() {
    return ports;
  }

  /** Always {@code 127.0.0.1}. */
  public String host() {
    return HOST;
  }

  /** The private ed25519 key (no passphrase) that logs in as {@link #user()} on every target. */
  public Path clientKey() {
    return files.clientKey;
  }

  /** known_hosts with one {@code [127.0.0.1]:PORT ssh-ed25519 ...} line per port. */
  public Path knownHosts() {
    return files.knownHosts;
  }

  /** The login user, {@code root}. */
  public String user() {
    return "root";
  }

  /** The folder holding keys, sshd_config, known_hosts and the sshd logs. */
  public Path dir() {
    return files.dir;
  }

  /**
   * Command lines of live processes on this machine (thus on every target) that contain {@code
   * marker}, excluding this JVM and pgrep-like helpers. Put a unique marker into a script to
   * prove that stop or timeout left nothing of it running.
   */
  public List<String> processesMatching(String marker) {
    return LocalProcesses.commandLinesContaining(marker);
  }

  /**
   * Waits up to {@code within} until no process's command line contains {@code marker}; else
   * fails naming each one left with its pid, group, parent, session and state (from {@code ps}),
   * so a failure says which process of a run survived, not only that one did.
   */
  public void awaitNoProcessMatching(String marker, Duration within) throws InterruptedException {
    awaitNone(marker, () -> processesMatching(marker), within);
  }

  /**
   * Like {@link #awaitNoProcessMatching} for processes whose whole command line is {@code
   * commandLine}: the run's real child, never a wrapper shell whose arguments hold the script
   * (those end once the child is gone, but a little later).
   */
  public void awaitNoProcessRunning(String commandLine, Duration within)
      throws InterruptedException {
    awaitNone(commandLine, () -> LocalProcesses.commandLinesEqualTo(commandLine), within);
  }

  private static void awaitNone(String marker, java.util.function.Supplier<List<String>> found,
      Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!found.get().isEmpty()) {
      if (System.nanoTime() > deadline) {
        String ps = LocalCommand.run(Duration.ofSeconds(10),
            List.of("ps", "-eo", "pid,pgid,ppid,sid,stat,args")).output();
        throw new AssertionError("processes matching '" + marker + "' still there after " + within
            + ":\n" + ps.lines().filter(l -> l.contains(marker) || l.contains("PGID"))
                .collect(java.util.stream.Collectors.joining("\n")));
      }
      Thread.sleep(100);
    }
  }

  /**
   * Stops exactly the sshd processes started here and their live session processes (TERM, then
   * KILL after a short grace). Leaves the files in {@link #dir()}. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    kill(processTrees());
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook does the same work
    }
  }

  @Override
  public String toString() {
    return "OpenSshTargets" + ports + " in " + files.dir;
  }

  private List<ProcessHandle> processTrees() {
    return instances.stream().flatMap(i -> i.processTree().stream()).toList();
  }

  private static void kill(List<ProcessHandle> processes) {
    processes.forEach(ProcessHandle::destroy);
    // Poll /proc rather than onExit() or isAlive(): a killed session process is reparented and
    // stays a zombie until init reaps it, which here takes up to ~2 s; a zombie runs nothing.
    long deadline = System.nanoTime() + STOP_GRACE.toNanos();
    while (processes.stream().anyMatch(LocalProcesses::isRunning)
        && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    processes.stream().filter(LocalProcesses::isRunning).forEach(ProcessHandle::destroyForcibly);
  }

  /** Waits until every port answers "SSH-2.0-": sshd is up and the port is ours, not a stray. */
  private void awaitBanners() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    for (int port : ports) {
      while (!answersSsh(port)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "port " + port + " gives no SSH banner within " + START_TIMEOUT + "; logs: "
                  + instances.stream().map(SshdInstance::logText).toList());
        }
        sleepBriefly();
      }
    }
  }

  private static boolean answersSsh(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), 1000);
      socket.setSoTimeout(2000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String banner = in.readLine();
      return banner != null && banner.startsWith("SSH-2.0-");
    } catch (IOException e) {
      return false;
    }
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for sshd", e);
    }
  }

  private static void checkConfig(SshdFiles files) {
    LocalCommand.Result result =
        LocalCommand.run(
            Duration.ofSeconds(10), SSHD.toString(), "-t", "-f", files.config.toString());
    if (!result.ok()) {
      throw new IllegalStateException(
          "sshd -t rejected " + files.config + ": " + result.output().strip());
    }
  }

  private static void ensurePrivsepDir() {
    if (Files.isDirectory(PRIVSEP_DIR)) {
      return;
    }
    try {
      Files.createDirectories(PRIVSEP_DIR);
      Files.setPosixFilePermissions(PRIVSEP_DIR, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + PRIVSEP_DIR + " that sshd needs", e);
    }
  }

  private static Optional<Path> sshKeygen() {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    return Stream.concat(Stream.of(path.split(":")), Stream.of("/usr/bin"))
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, "ssh-keygen"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static boolean runningAsRoot() {
    try {
      // /proc/self belongs to the effective uid of this process.
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
