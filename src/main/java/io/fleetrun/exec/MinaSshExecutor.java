package io.fleetrun.exec;

import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.Instance;
import io.fleetrun.model.Limits;
import io.fleetrun.model.SshSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RemoteExecutor} over Apache MINA SSHD: one {@link SshClient} for the daemon, host keys
 * checked by {@link SshSettings#hostKeyPolicy()}, never anything from the daemon user's
 * {@code ~/.ssh}. Runs fan out on MINA's asynchronous API over kept connections ({@link
 * ConnectionPool}: {@link SshSettings#keepAlive()}, {@link SshSettings#channelsPerConnection()},
 * {@link SshSettings#connectionLifetime()})
 * with at most {@link Limits#maxSessions()} connections and {@link
 * ExecutorTuning#maxHandshakes()} handshakes at once; waiting runs hold no thread.
 */
public final class MinaSshExecutor implements RemoteExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(MinaSshExecutor.class);
  /** Beyond the kill grace, how long {@link #close()} waits for runs to end. */
  private static final Duration CLOSE_MARGIN = Duration.ofSeconds(5);

  private final Limits limits;
  private final ExecRuntime rt;
  private final ConnectionPool pool;
  private final ScheduledThreadPoolExecutor timer;
  private final ExecutorService connectStarter;
  private final ExecutorService lookups;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** An executor with the default {@link ExecutorTuning} (kill grace 2 s, 50 handshakes). */
  public MinaSshExecutor(SshSettings ssh, Limits limits, Clock clock) {
    this(ssh, limits, clock, ExecutorTuning.defaults());
  }

  /**
   * Starts the SSH client.
   *
   * @throws IllegalArgumentException when none of {@code ssh.keyExchanges()} is supported
   */
  public MinaSshExecutor(SshSettings ssh, Limits limits, Clock clock, ExecutorTuning tuning) {
    this(ssh, limits, clock, tuning, ExecRuntime.Resolver.SYSTEM);
  }

  /** Like the public constructor, with host names looked up by {@code resolver} (tests). */
  MinaSshExecutor(SshSettings ssh, Limits limits, Clock clock, ExecutorTuning tuning,
      ExecRuntime.Resolver resolver) {
    this.limits = Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(tuning, "tuning");
    List<KeyExchangeFactory> kex = keyExchanges(ssh.keyExchanges());
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(HostKeyCheck.verifier(ssh.hostKeyPolicy(), ssh.knownHosts()));
    client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.setKeyExchangeFactories(kex);
    CoreModuleProperties.TCP_NODELAY.set(client, true);
    // The run's own timer ends a slow connect first; MINA's TCP timeout is only a backstop.
    CoreModuleProperties.IO_CONNECT_TIMEOUT.set(client, ssh.connectTimeout().plusSeconds(1));
    // A script may stay silent for hours; its own timeout bounds it, not MINA's 10 min idle close.
    // A kept connection without runs is closed by the pool after ssh.keepAlive instead.
    CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
    // Without traffic a dead peer is noticed only by heartbeats: ~3 min of no replies ends it.
    // They also keep a kept connection through NAT and firewall idle timeouts between runs.
    CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, Duration.ofSeconds(30));
    CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 6);
    client.start();

    this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("fleetrun-ssh-timer"));
    // Run timeouts are mostly cancelled long before they fire; do not keep them queued.
    timer.setRemoveOnCancelPolicy(true);
    this.connectStarter = Executors.newFixedThreadPool(2, daemonThreads("fleetrun-ssh-connect"));
    this.lookups = Executors.newFixedThreadPool(2, daemonThreads("fleetrun-ssh-lookup"));
    this.rt = new ExecRuntime(client, new AsyncPermits(limits.maxSessions()),
        new AsyncPermits(tuning.maxHandshakes()), timer, connectStarter,
        new Credentials(System::getenv), ssh.connectTimeout(), tuning, clock,
        ConcurrentHashMap.newKeySet(), resolver, lookups, new AtomicReference<>(SshTimings.NONE));
    this.pool = new ConnectionPool(rt, ssh.keepAlive(), ssh.channelsPerConnection(),
        limits.maxSessions(), new KeptConnectionRules(ssh.connectionLifetime(),
            HostKeyCheck.trust(ssh.hostKeyPolicy(), ssh.knownHosts()), clock));
    LOG.debug("SSH client started: host keys {} ({}), key exchanges {}",
        ssh.hostKeyPolicy().configName(), ssh.knownHosts(), ssh.keyExchanges());
  }

  @Override
  public Execution start(ExecutionRequest request) {
    Objects.requireNonNull(request, "request");
    String command = null;
    String refusal = null;
    // A stop or timeout kill is always marker-checked, so a run of no record gets a marker too.
    ProcessMarker marker = request.marker().isUnique() ? request.marker() : oneOffMarker();
    String token = RemoteCommand.newToken();
    try {
      command = RemoteCommand.wrap(request.script(), request.workingDir(), marker, token);
    } catch (IllegalArgumentException e) {
      refusal = e.getMessage();
    }
    if (refusal == null && closed.get()) {
      refusal = "the SSH executor is closed";
    }
    MinaExecution execution =
        new MinaExecution(request, rt, pool, limits.outputBytes(), command, marker, token);
    if (refusal != null) {
      String info = refusal;
      execution.finish(out -> new ExecutionOutcome.CouldNotRun(ErrorCode.InternalError, info, out));
      return execution;
    }
    rt.live().add(execution);
    execution.begin();
    return execution;
  }

  @Override
  public CompletableFuture<OrphanKill> killOrphan(Instance instance, OptionalLong processGroup,
      OptionalLong leaderStart, ProcessMarker marker) {
    Objects.requireNonNull(instance, "instance");
    MinaOrphanKill kill = new MinaOrphanKill(instance, processGroup, leaderStart, marker, rt);
    if (closed.get()) {
      return CompletableFuture.completedFuture(
          new OrphanKill.Unreachable("the SSH executor is closed"));
    }
    return kill.begin();
  }

  /** How long {@link #killOrphan} takes at most: connect timeout, kill grace and a margin. */
  public Duration orphanKillBound() {
    return MinaOrphanKill.bound(rt);
  }

  /** Reports the connect-and-login time of every new connection to {@code timings} from now on. */
  public void reportTimingsTo(SshTimings timings) {
    rt.timings().set(Objects.requireNonNull(timings, "timings"));
  }

  /** SSH connections open or being opened now (kept idle ones and kill connections included). */
  public int openConnections() {
    return sessionsInUse();
  }

  /** Session channels of runs now: runs holding (or waiting for) a place on a kept connection. */
  public int openSessions() {
    return runsOnConnections();
  }

  /** Sessions open (or being opened) right now, kept idle ones included. */
  int sessionsInUse() {
    return rt.sessions().inUse();
  }

  /** Runs holding (or waiting for) a place on a connection right now. */
  int runsOnConnections() {
    return pool.leases();
  }

  /** The connection pool, for tests. */
  ConnectionPool pool() {
    return pool;
  }

  /**
   * Stops every live run (TERM, grace, KILL on its target), waits for them up to the kill grace
   * plus a few seconds, marks the rest interrupted, and stops the client. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<MinaExecution> live = new ArrayList<>(rt.live());
    live.forEach(MinaExecution::stop);
    // Released, not only ended: a run's kill may still need its session after the outcome.
    CompletableFuture<?>[] outcomes =
        live.stream().map(MinaExecution::released).toArray(CompletableFuture<?>[]::new);
    Duration wait = rt.tuning().killGrace().plus(CLOSE_MARGIN);
    try {
      CompletableFuture.allOf(outcomes).get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("{} SSH runs did not end within {} ms of closing",
          rt.live().size(), wait.toMillis());
    }
    new ArrayList<>(rt.live()).forEach(e -> e.abandon("the SSH executor closed while it ran"));
    pool.close();
    connectStarter.shutdownNow();
    lookups.shutdownNow();
    try {
      rt.client().stop();
    } catch (RuntimeException e) {
      LOG.warn("stopping the SSH client failed", e);
    }
    timer.shutdownNow();
  }

  /** {@code fleetrun-anon-<random>}: unique, and unlike any record's marker. */
  private static ProcessMarker oneOffMarker() {
    return new ProcessMarker("fleetrun-anon-" + RemoteCommand.newToken());
  }

  private static List<KeyExchangeFactory> keyExchanges(List<String> names) {
    List<KeyExchangeFactory> factories = new ArrayList<>();
    for (String name : names) {
      BuiltinDHFactories factory = BuiltinDHFactories.fromFactoryName(name);
      if (factory == null || !factory.isSupported()) {
        LOG.warn("ignoring unsupported SSH key exchange {}", name);
      } else {
        factories.add(ClientBuilder.DH2KEX.apply(factory));
      }
    }
    if (factories.isEmpty()) {
      throw new IllegalArgumentException(
          "none of the SSH key exchanges " + names + " is supported");
    }
    return factories;
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
