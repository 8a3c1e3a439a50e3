package io.fleetrun.daemon;

import io.fleetrun.config.ConfigDigest;
import io.fleetrun.config.ConfigLoader;
import io.fleetrun.config.FleetConfig;
import io.fleetrun.exec.MinaSshExecutor;
import io.fleetrun.http.ApiServer;
import io.fleetrun.http.DaemonSide;
import io.fleetrun.http.MetricsEndpoint;
import io.fleetrun.invoke.EventFeed;
import io.fleetrun.invoke.Invoker;
import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.observe.Gauges;
import io.fleetrun.observe.InvocationReader;
import io.fleetrun.observe.Metrics;
import io.fleetrun.observe.WebhookSettings;
import io.fleetrun.observe.Webhooks;
import io.fleetrun.schedule.FleetScheduler;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.ClusterNode;
import io.fleetrun.store.DaemonInfo;
import io.fleetrun.store.Database;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.JdbcNodeQueries;
import io.fleetrun.store.JdbcStatusQueries;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.JooqDaemonLease;
import io.fleetrun.store.EventLog;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.JooqRetention;
import io.fleetrun.store.JournalObserver;
import io.fleetrun.store.LeaseHolder;
import io.fleetrun.store.NodeRegistry;
import io.fleetrun.store.RecordCounts;
import io.fleetrun.store.ReloadResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running fleetrun daemon. {@link #start} brings it up in order (database, single-node lease on
 * SQLite or its node's row of {@code daemon_node} on a PostgreSQL cluster, SSH client, repair of what a previous run left on the database and the targets, invoker,
 * the HTTP server when configured, scheduler, control requests); {@link #close} takes it down in reverse with bounded waits, gives
 * the lease back and is idempotent.
 */
public final class Daemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);
  /**
   * How often a node looks for dead nodes to take over. With beats every second and the failover
   * window of 15 s, a node killed is declared dead within ~17 s, its records ended at once and
   * its processes killed within the kill bound: inside the 30 s failover target.
   */
  static final Duration TAKEOVER_EVERY = Duration.ofSeconds(2);
  /** Quiet time after a change of the config file before it is read (a save may be several writes). */
  private static final Duration CONFIG_DEBOUNCE = Duration.ofMillis(400);

  private final Settings settings;
  private final Clock clock;
  private final Database database;
  private final JooqControlChannel control;
  private final MinaSshExecutor executor;
  private final Invoker invoker;
  private final FleetScheduler scheduler;
  private final ScheduledExecutorService ticker;
  /** Heartbeat and lease renewal: from the lease's taking to its release, through start and stop. */
  private final ScheduledExecutorService heartbeat = daemonThread("fleetrun-heartbeat");
  private final BeatStreak streak = new BeatStreak();
  private final DaemonInfo info;
  /** The single-node lease: SQLite only. */
  private final Optional<SingleNodeGuard> guard;
  /** This node's row of daemon_node: PostgreSQL only. */
  private final Optional<NodeRegistry> node;
  /** Set when another process took this node id over (PostgreSQL); the lease's lost() on SQLite. */
  private final AtomicBoolean nodeLost = new AtomicBoolean();
  /**
   * Completed when a surviving node declared this one dead (PostgreSQL): this node was silent past
   * the failover window, its records were ended and its processes killed by the survivor; it must
   * stop (the daemon command stops it as on SIGTERM and exits non-zero).
   */
  private final CompletableFuture<NodeRegistry.Declaration> declaredDead = new CompletableFuture<>();
  /**
   * The take-over of dead nodes (PostgreSQL), every {@link #TAKEOVER_EVERY}: its own thread, since
   * killing a dead node's processes may wait for unreachable targets for seconds, which must delay
   * neither this node's beat nor its CLI requests.
   */
  private final Optional<ScheduledExecutorService> takeover;
  private final RetentionSchedule retention;
  private final ConfigReload reload;
  private final Optional<ConfigWatcher> watcher;
  /** Record and invocation events of the engine, for the metrics, the webhooks and the event stream's table. */
  private final EventFeed events;
  private final Metrics metrics;
  /** The config's notifications, fed by the events like the metrics; they follow reloads. */
  private final Webhooks webhooks;
  /** When this daemon last wrote its heartbeat. */
  private final AtomicReference<Instant> lastBeat = new AtomicReference<>();
  /** The HTTP API, when config has an {@code http:} section; started last, closed first. */
  private final Optional<ApiServer> http;
  private boolean closed;

  /**
   * How the daemon behaves beyond the config file.
   *
   * @param shutdownGrace how long running records may go on after a stop signal before they are
   *     ended
   * @param killWait how long to wait for remote process groups to be ended after that
   * @param schedulerName Quartz scheduler name (stable across restarts)
   * @param requestPoll how often CLI requests are picked up
   * @param misfireThreshold how late a fire may be before it is a misfire, handled by the job's
   *     misfire policy
   */
  public record Settings(
      Duration shutdownGrace,
      Duration killWait,
      String schedulerName,
      Duration requestPoll,
      Duration misfireThreshold) {
    /** Settings with the default misfire threshold. */
    public Settings(
        Duration shutdownGrace, Duration killWait, String schedulerName, Duration requestPoll) {
      this(shutdownGrace, killWait, schedulerName, requestPoll, FleetScheduler.DEFAULT_MISFIRE_THRESHOLD);
    }

    /**
     * How often the daemon looks for CLI requests: a CLI's {@code run} waits on average half of
     * it. Each look is one indexed read on the control connection; only a look that finds a
     * request takes the write lock to claim it, so a short poll does not contend with the writers.
     */
    public static final Duration REQUEST_POLL = Duration.ofMillis(50);

    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(10), Duration.ofSeconds(5), "fleetrun", REQUEST_POLL);
    }
  }

  private Daemon(FleetConfig config, String configDigest, Clock clock, Settings settings) {
    this.settings = settings;
    this.clock = clock;
    this.database = Database.open(config.database());
    this.events = new EventFeed(clock);
    SingleNodeGuard lease = null;
    NodeRegistry registered = null;
    MinaSshExecutor ssh = null;
    FleetScheduler quartz = null;
    Optional<ScheduledExecutorService> takeoverThread = Optional.empty();
    Webhooks hooks = null;
    ApiServer api = null;
    try {
      String host = hostName();
      long pid = ProcessHandle.current().pid();
      // On PostgreSQL the daemon is a node of a cluster, known by a stable id; on SQLite it is
      // the one daemon of its file, known by an id of this start (the lease tells starts apart).
      String nodeId = database.isPostgresql()
          ? NodeIds.resolve(config.cluster(), host) : UUID.randomUUID().toString();
      Instant startedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
      this.info = new DaemonInfo(nodeId, pid, host, version(), config.source().toString(), startedAt);
      JooqInvocationStore store = new JooqInvocationStore(database, new StatusCalculator(), nodeId);
      JdbcInvocationQueries queries = new JdbcInvocationQueries(database);
      this.control = JooqControlChannel.onControlConnection(database, nodeId);
      // Before repair: repair must never run beside a live daemon (on a cluster: a live process
      // of this node id; the other nodes' records are theirs and not repaired here).
      if (database.isPostgresql()) {
        registered = register(new NodeRegistry(database, new NodeRegistry.NodeInfo(
            nodeId, host, pid, version(), configDigest, startedAt)), clock, DatabaseSettings.redacted(config.databaseUrl()));
      } else {
        lease = SingleNodeGuard.acquire(JooqDaemonLease.onControlConnection(database), info, clock, config.databaseUrl());
      }
      this.guard = Optional.ofNullable(lease);
      this.node = Optional.ofNullable(registered);
      // Renewed from now on, also while repair waits for unreachable targets and while close
      // waits for running records: a lease left to go stale there would let a second daemon in.
      heartbeat.scheduleWithFixedDelay(() -> beat(clock), 1, 1, TimeUnit.SECONDS);
      ssh = new MinaSshExecutor(config.ssh(), config.limits(), clock);
      this.executor = ssh;
      Recovery.Repaired repaired = new Recovery(store, executor, executor.orphanKillBound(), clock).repair(config.fleet());
      int unanswered = control.refuseUnanswered(
          "the daemon stopped while carrying out this request; check the invocations and retry", clock.instant());
      if (unanswered > 0) {
        log.warn("{} CLI request(s) taken by a previous daemon were never answered; answered them as refused", unanswered);
      }
      // Metrics: fed by the engine's run events, SSH connect times and journal commit times;
      // its gauges read this daemon's state at each scrape (served over HTTP with the HTTP server).
      JdbcStatusQueries statusQueries = new JdbcStatusQueries(database);
      this.metrics = new Metrics(new Gauges(
          () -> invokerOrNull() == null ? 0 : invokerOrNull().recordsOnSsh(),
          () -> invokerOrNull() == null ? 0 : invokerOrNull().recordsWaiting(),
          executor::openConnections, executor::openSessions, statusQueries::runningInvocations, events::dropped,
          () -> Optional.ofNullable(lastBeat.get()),
          () -> reloadOrNull() == null ? Optional.empty()
              : reloadOrNull().last().map(r -> new Gauges.Reload(r.applied(), r.at()))));
      events.subscribe("metrics", metrics);
      // Webhooks read an invocation's summary on their own threads, never on a run's.
      hooks = new Webhooks(config.notifications(), WebhookSettings.defaults(), summaries(database), metrics, clock,
          System::getenv);
      this.webhooks = hooks;
      events.subscribe("webhooks", webhooks);
      // GET /api/v1/events of every node reads the table this writes.
      events.subscribe("event-log", new EventLogWriter(new EventLog(database), nodeId, clock));
      // The records the repair ended reach the stream, the hooks and the metrics now that they listen.
      RecoveryEvents recovered = new RecoveryEvents(events, queries);
      recovered.ended(repaired.records(), repaired.at());
      executor.reportTimingsTo(metrics::sshConnected);
      store.observeJournalsWith(new JournalObserver() {
        @Override
        public void batchCommitted(int changes, Duration took) {
          metrics.databaseWrite(took);
        }
      });
      this.invoker = new Invoker(store, queries, executor, config.fleet(), clock, events);
      // Another node's records are killed by that node: a stop hands it a request for it alone.
      invoker.relayStopsWith((node, stop) -> control.submitFor(node, stop, clock.instant()));
      quartz = database.isPostgresql()
          ? FleetScheduler.clustered(database.dataSource(), invoker::fireJob, settings.schedulerName(),
              settings.misfireThreshold(), new FleetScheduler.Cluster(nodeId))
          : new FleetScheduler(
              database.dataSource(), invoker::fireJob, settings.schedulerName(), settings.misfireThreshold());
      this.scheduler = quartz;
      control.heartbeat(info, clock.instant());
      control.recordConfigLoaded(info.nodeId(), info.startedAt());
      this.reload = new ConfigReload(config, configDigest, invoker, scheduler, webhooks::apply, control,
          info.nodeId(), clock);
      Optional<ClusterNode> differing = database.isPostgresql()
          ? StartScheduling.deferTo(new JdbcNodeQueries(database).nodes(), nodeId, configDigest)
          : Optional.empty();
      if (differing.isEmpty()) {
        reload.applyAtStart();
        scheduler.apply(config.fleet().jobs(), clock.instant());
      } else {
        // See StartScheduling: an older file must not undo what the cluster runs.
        log.warn("config {} (digest {}) differs from the one live node {} runs (digest {}): the cluster's"
            + " schedule is left as it is; this node applies its file when the file next changes",
            config.source(), shortDigest(configDigest), differing.get().nodeId(),
            shortDigest(differing.get().configDigest()));
      }
      this.watcher = watch(config.source(), reload);
      // The file was read before the lease wait and repair, which can take seconds; an edit
      // saved meanwhile gave no watch event. Compared only now that the watch runs, so an edit
      // is either seen here or by the watch; and before the scheduler starts, whose first fires
      // (jobs due at start, misfires after downtime) would otherwise use the stale config.
      reload.reloadIfChanged();
      if (lost()) {
        throw new IllegalStateException(guard.isPresent()
            ? "another daemon took the database lease while this one was starting"
            : "another process took node id " + nodeId + " over while this one was starting");
      }
      // Before the first fire, so a token that cannot be read or a port in use refuses the start
      // with nothing run; /readyz answers 503 until the scheduler runs, a moment later.
      FleetScheduler fires = quartz;
      // Run and stop over HTTP queue the CLI's request rows, on the main pool: however many
      // callers wait and poll, the control connection stays free for the heartbeat and the
      // lease, which must never be late.
      JooqControlChannel httpRequests = new JooqControlChannel(database);
      DaemonSide side = new DaemonSide(database.reads(), fires::running,
          new MetricsEndpoint(metrics.contentType(), metrics::write), invoker::fleet, httpRequests, System::getenv,
          clock);
      api = config.http().map(h -> ApiServer.start(h, side)).orElse(null);
      this.http = Optional.ofNullable(api);
      scheduler.start();
      this.ticker = daemonThread("fleetrun-control");
      RequestHandler requests = new RequestHandler(control, invoker, clock);
      ticker.scheduleWithFixedDelay(() -> {
        if (!lost()) {
          requests.pollOnce();
        }
      }, 0, settings.requestPoll().toMillis(), TimeUnit.MILLISECONDS);
      takeoverThread = node.map(n -> {
        Recovery takeOver = new Recovery(store, executor, executor.orphanKillBound(), clock, recovered);
        ScheduledExecutorService thread = daemonThread("fleetrun-takeover");
        thread.scheduleWithFixedDelay(() -> {
          // Not before this node has beaten steadily for the window itself (see BeatStreak).
          if (lost() || !streak.steadyFor(clock.instant(), NodeRegistry.FAILOVER_WINDOW)) {
            return;
          }
          try {
            takeOver.takeOver(invoker.fleet(), NodeRegistry.FAILOVER_WINDOW);
          } catch (RuntimeException e) {
            log.warn("looking for dead cluster nodes failed: {}", e.getMessage());
          }
        }, TAKEOVER_EVERY.toMillis(), TAKEOVER_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return thread;
      });
      this.takeover = takeoverThread;
      this.retention =
          new RetentionSchedule(new JooqRetention(database, RetentionSchedule.PAUSE), config.retention(), clock)
              .start(RetentionSchedule.FIRST_RUN, RetentionSchedule.EVERY);
    } catch (RuntimeException e) {
      if (api != null) {
        api.close();
      }
      heartbeat.shutdownNow();
      events.close(Duration.ZERO);
      if (hooks != null) {
        hooks.close(Duration.ZERO);
      }
      takeoverThread.ifPresent(ScheduledExecutorService::shutdownNow);
      if (quartz != null) {
        quartz.close();
      }
      if (ssh != null) {
        ssh.close();
      }
      if (lease != null) {
        lease.release();
      }
      if (registered != null) {
        stopped(registered);
      }
      database.close();
      throw e;
    }
  }

  /**
   * Starts a daemon for {@code config} as {@link #start(ConfigLoader.Loaded, Clock, Settings)}
   * does; the file is taken to be unchanged since {@code config} was read from it (its content
   * now is what a later edit is compared with).
   */
  public static Daemon start(FleetConfig config, Clock clock, Settings settings) {
    return start(new ConfigLoader.Loaded(config, ConfigDigest.of(config.source()).orElse("")), clock, settings);
  }

  /**
   * Starts a daemon for the config {@code loaded} from its file; returns once it is scheduling and taking requests. Waits
   * up to ~6 s for the lease of a daemon that was killed to go stale.
   *
   * @throws AnotherDaemonException when another daemon is alive on the same database
   */
  public static Daemon start(ConfigLoader.Loaded loaded, Clock clock, Settings settings) {
    FleetConfig config = loaded.config();
    Daemon daemon = new Daemon(config, loaded.digest(), clock, settings);
    log.info("fleetrun daemon {} started: {} instance(s), {} command(s), {} job(s), database {}",
        daemon.info.version(), config.fleet().instances().size(), config.fleet().commands().size(),
        config.fleet().jobs().size(), DatabaseSettings.redacted(config.databaseUrl()));
    return daemon;
  }

  public Database database() {
    return database;
  }

  public Invoker invoker() {
    return invoker;
  }

  /** The port the HTTP API listens on, when config has an {@code http:} section. */
  public Optional<Integer> httpPort() {
    return http.map(ApiServer::port);
  }

  /** The daemon's Prometheus metrics ({@link Metrics#write} gives the text format). */
  public Metrics metrics() {
    return metrics;
  }

  private Invoker invokerOrNull() {
    return invoker;
  }

  private ConfigReload reloadOrNull() {
    return reload;
  }

  public FleetScheduler scheduler() {
    return scheduler;
  }

  /**
   * Whether another daemon took the database (SQLite) or this node id (PostgreSQL) over; this one
   * no longer schedules then.
   */
  public boolean leaseLost() {
    return lost();
  }

  private boolean lost() {
    return guard.map(SingleNodeGuard::lost).orElse(false) || nodeLost.get();
  }

  /**
   * Completes when a surviving node declared this one dead (PostgreSQL cluster): the daemon must
   * be stopped then, and its stop is not a clean one.
   */
  public CompletableFuture<NodeRegistry.Declaration> declaredDead() {
    return declaredDead;
  }

  /** This daemon's node id (stable across restarts on PostgreSQL, new at each start on SQLite). */
  private static String shortDigest(String digest) {
    return digest.length() > 12 ? digest.substring(0, 12) : digest;
  }

  public String nodeId() {
    return info.nodeId();
  }

  /**
   * Registers the node, or refuses the start (as {@link AnotherDaemonException}) when another live
   * process runs under its id. Logs the database's clock against this node's.
   */
  private static NodeRegistry register(NodeRegistry registry, Clock clock, String database) {
    NodeRegistry.NodeInfo self = registry.self();
    try {
      NodeRegistry.Registered how = registry.register(Daemon::alive);
      log.info("cluster node {} registered on {} ({})", self.nodeId(), database,
          how == NodeRegistry.Registered.NEW ? "new node" : "its previous process is gone");
    } catch (NodeRegistry.NodeIdTaken e) {
      NodeRegistry.Holder h = e.holder();
      throw new AnotherDaemonException(e.getMessage(),
          new LeaseHolder(h.nodeId(), h.pid(), h.host(), h.startedAt(), h.beatAt()));
    }
    try {
      registry.clockSkew(clock).ifPresent(skew -> {
        if (skew.abs().compareTo(Duration.ofSeconds(1)) > 0) {
          log.warn("this node's clock is {} ms {} the database's: cluster nodes must agree on the time"
              + " (Quartz's fire times and its recovery of failed nodes use node clocks: a node ahead fires early and"
              + " recovers live nodes' fires as its own); synchronise the clocks (NTP)",
              skew.abs().toMillis(), skew.isNegative() ? "ahead of" : "behind");
        } else {
          log.info("clock skew against the database: {} ms", -skew.toMillis());
        }
      });
    } catch (RuntimeException e) {
      log.warn("could not compare this node's clock with the database's: {}", e.getMessage());
    }
    return registry;
  }

  /** Whether process {@code pid} of this host still runs. */
  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static void stopped(NodeRegistry registry) {
    try {
      registry.stopped();
    } catch (RuntimeException e) {
      log.warn("could not mark node {} stopped: {}", registry.self().nodeId(), e.getMessage());
    }
  }

  /**
   * Reads the config file again and applies it (what SIGHUP and a change of the file do): jobs,
   * instances and commands take effect at once; an invalid file is refused and the config in
   * force stays. The result is also recorded on the heartbeat row.
   */
  public ReloadResult reload() {
    return reload.reload();
  }

  /**
   * An invocation and its record counts, for the webhooks' bodies: through the read pool (opened
   * at the first delivery), so a webhook's read never queues a record write behind it on SQLite.
   */
  private static InvocationReader summaries(Database database) {
    return id -> {
      JdbcInvocationQueries reads = new JdbcInvocationQueries(database.reads());
      return reads.findInvocation(id).map(invocation -> {
        RecordCounts c = reads.recordCounts(id);
        return new InvocationReader.Summary(invocation, c.pending(), c.running(), c.finished(), c.failed(),
            c.stopped());
      });
    };
  }

  private static Optional<ConfigWatcher> watch(Path file, ConfigReload reload) {
    try {
      return Optional.of(ConfigWatcher.start(file, CONFIG_DEBOUNCE, reload::reload));
    } catch (IOException | RuntimeException e) {
      log.warn("cannot watch {} for changes ({}); reload with SIGHUP", file, e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Stops in reverse order: no new requests or fires; running records get the shutdown grace,
   * then are ended (remote process groups killed, records Failed/ExecutionInterrupted); the SSH
   * client, the heartbeat and the database close last. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info("fleetrun daemon stopping");
    http.ifPresent(ApiServer::close); // first: no reads of a database about to close
    watcher.ifPresent(ConfigWatcher::close);
    takeover.ifPresent(ScheduledExecutorService::shutdownNow);
    ticker.shutdownNow();
    // A request being carried out finishes first: a run it is writing now must reach the
    // dispatcher before that shuts down, or its records would stay Pending until the next start.
    awaitEnd(ticker, "the control request in progress");
    retention.close();
    scheduler.close();
    invoker.shutdown(settings.shutdownGrace(), settings.killWait());
    events.close(Duration.ofSeconds(1));
    // After the feed: the last ends' notifications are queued by then. Bounded; the rest is logged.
    webhooks.close(Duration.ofSeconds(3));
    executor.close();
    heartbeat.shutdownNow();
    try {
      guard.ifPresent(SingleNodeGuard::release);
    } catch (RuntimeException e) {
      log.warn("could not release the database lease: {}", e.getMessage());
    }
    if (!nodeLost.get()) {
      node.ifPresent(Daemon::stopped);
    }
    try {
      control.removeHeartbeat(info.nodeId());
    } catch (RuntimeException e) {
      log.warn("could not remove the heartbeat row: {}", e.getMessage());
    }
    database.close();
    log.info("fleetrun daemon stopped");
  }

  private void beat(Clock clock) {
    try {
      Instant now = clock.instant();
      control.heartbeat(info, now);
      lastBeat.set(now);
      FleetScheduler running = scheduler; // null while the daemon is still starting
      boolean renewed = guard.map(g -> g.lost() || g.renew(now)).orElse(true);
      if (node.isPresent() && !nodeLost.get()) {
        ConfigReload r = reload; // null while the daemon is still starting
        String digest = r == null ? node.get().self().configDigest() : r.inForceDigest();
        if (node.get().beat(digest)) {
          streak.beat(now);
        } else {
          streak.broken();
          nodeLost.set(true);
          renewed = false;
          Optional<NodeRegistry.Declaration> dead = node.get().declaredDeadBy();
          if (dead.isPresent()) {
            NodeRegistry.Declaration d = dead.get();
            log.error("node {} was declared dead by node {} at {} (its last beat {}): its running records were"
                + " ended and their processes killed there; this daemon stops now. Its late record ends are"
                + " refused. Look for what stalled it (GC, suspended VM, database unreachable)",
                info.nodeId(), d.by(), d.at(), d.lastBeat());
            declaredDead.complete(d);
          } else {
            log.error("another process took node id {} over after this one went {} s without a beat;"
                + " scheduling and CLI requests stop here. Restart this daemon once the other one is"
                + " gone, or give them different cluster.nodeId", info.nodeId(),
                NodeRegistry.FAILOVER_WINDOW.toSeconds());
          }
        }
      }
      if (!renewed && running != null) {
        running.close(); // another daemon schedules on this database, or as this node, now
      }
    } catch (RuntimeException e) {
      streak.broken();
      log.warn("heartbeat failed: {}", e.getMessage());
    }
  }

  private static void awaitEnd(ScheduledExecutorService thread, String what) {
    try {
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("{} did not end within 10 s of the stop", what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ScheduledExecutorService daemonThread(String name) {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }

  static String version() {
    String v = Daemon.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
