package io.fleetrun.schedule;

import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RepeatMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.listeners.TriggerListenerSupport;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Quartz scheduler of one daemon: a JDBC job store in the fleetrun database, one Quartz job
 * and trigger per fleetrun job. Quartz jobs carry only the job id; they are built by a job factory
 * that hands them the {@link JobFirer}.
 *
 * <p>On SQLite the store is not clustered (one daemon per file). On PostgreSQL it is a node of a
 * Quartz cluster ({@link #clustered}): every daemon on the database shares the triggers, each
 * fire is acquired by one node under the {@code TRIGGER_ACCESS} row lock, and the nodes check in
 * so that the fires a dead node held are recovered by the others.
 */
public final class FleetScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FleetScheduler.class);

  /**
   * How late a fire may be and still count as on time. A fire later than this (the daemon was
   * down, or far too busy) is a misfire and follows the job's misfire policy.
   */
  public static final Duration DEFAULT_MISFIRE_THRESHOLD = Duration.ofSeconds(10);

  /**
   * How often a cluster node checks in ({@code QRTZ_SCHEDULER_STATE}), and so how soon a dead
   * one is found. Quartz 2.5.2's {@code JobStoreSupport.calcFailedIfAfter} declares a node failed
   * once now is past {@code its last check-in + max(its interval, now - the checker's own last
   * check-in) + 7.5 s}; the checker looks once per its own interval. A node that dies just after
   * checking in is therefore seen within {@code interval + 7.5 s} (failed) {@code + interval}
   * (the next look): 5 + 7.5 + 5 = 17.5 s at 5 s, against 22.5 s at Quartz's default 7.5 s. That
   * leaves more than 12 s of the 30 s failover target for fleetrun's own take-over of the
   * dead node's records. Shorter would mean a check-in transaction per node every few seconds for
   * no gain the target needs, and a GC pause or slow database closer to a false failover.
   */
  public static final Duration CLUSTER_CHECKIN_INTERVAL = Duration.ofSeconds(5);

  /** How often an idle cluster node looks for triggers to acquire (see {@link #properties}). */
  static final Duration CLUSTER_IDLE_WAIT = Duration.ofSeconds(5);

  /** Quartz threads that run fires (a fire only hands work on, so few are needed). */
  private static final int THREADS = 4;

  /**
   * Whether and how this scheduler is a node of a Quartz cluster.
   *
   * @param nodeId Quartz's instance id: the daemon's node id, unique among the live nodes (a
   *     restarted node reusing its id recovers its own unfinished fires at its first check-in)
   */
  public record Cluster(String nodeId) {
    public Cluster {
      Objects.requireNonNull(nodeId, "nodeId");
    }
  }

  private final Scheduler scheduler;
  private boolean closed;

  /** A scheduler with the {@link #DEFAULT_MISFIRE_THRESHOLD}. */
  public FleetScheduler(DataSource dataSource, JobFirer firer, String schedulerName) {
    this(dataSource, firer, schedulerName, DEFAULT_MISFIRE_THRESHOLD);
  }

  /**
   * @param schedulerName Quartz's SCHED_NAME: keep it stable across restarts so that triggers
   *     survive; distinct names let tests run several schedulers in one JVM
   * @param misfireThreshold how late a fire may be before it is a misfire (at least 1 ms)
   */
  public FleetScheduler(
      DataSource dataSource, JobFirer firer, String schedulerName, Duration misfireThreshold) {
    this(dataSource, firer, schedulerName, misfireThreshold, Optional.empty());
  }

  /**
   * A scheduler that is a node of a Quartz cluster on a PostgreSQL database.
   *
   * @param cluster this node
   */
  public static FleetScheduler clustered(DataSource dataSource, JobFirer firer, String schedulerName,
      Duration misfireThreshold, Cluster cluster) {
    return new FleetScheduler(dataSource, firer, schedulerName, misfireThreshold, Optional.of(cluster));
  }

  private FleetScheduler(DataSource dataSource, JobFirer firer, String schedulerName,
      Duration misfireThreshold, Optional<Cluster> cluster) {
    if (misfireThreshold.toMillis() < 1) {
      throw new IllegalArgumentException("misfire threshold must be at least 1ms");
    }
    String dataSourceName = "fleetrun-" + UUID.randomUUID();
    DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, provider(dataSource));
    try {
      scheduler =
          new StdSchedulerFactory(properties(schedulerName, dataSourceName, misfireThreshold, cluster))
              .getScheduler();
      scheduler.setJobFactory((bundle, s) -> new FireJob(firer));
      scheduler
          .getListenerManager()
          .addTriggerListener(new MisfireLog(), GroupMatcher.triggerGroupEquals(JobTriggers.GROUP));
    } catch (SchedulerException e) {
      throw new IllegalStateException("could not create the Quartz scheduler: " + e.getMessage(), e);
    }
  }

  /**
   * Makes the stored triggers match {@code jobs}: new jobs are scheduled, jobs whose schedule
   * changed are rescheduled, unchanged ones keep their next fire time, jobs no longer in the
   * list are removed.
   */
  public void apply(List<Job> jobs, Instant now) {
    try {
      Set<JobKey> wanted = new HashSet<>();
      for (Job job : jobs) {
        JobKey key = JobKey.jobKey(job.id().value(), JobTriggers.GROUP);
        wanted.add(key);
        Trigger existing = scheduler.getTrigger(TriggerKey.triggerKey(job.id().value(), JobTriggers.GROUP));
        if (existing != null && JobTriggers.spec(job).equals(existing.getDescription())) {
          continue;
        }
        // A one-time job's fire lost with its node (kill -9 between Quartz's acquisition and the
        // once_job commit) is fired again on a survivor by Quartz's cluster recovery, which only
        // re-fires jobs that request it; the once_job key keeps a fire the dead node committed
        // from running twice. A periodic job's next fire comes anyway: no recovery for it.
        JobDetail detail = JobBuilder.newJob(FireJob.class).withIdentity(key).storeDurably(false)
            .requestRecovery(job.repeat() == RepeatMode.Once).build();
        try {
          // Replaced only when this node saw it differ: a new job is stored only if no other
          // node of a cluster stored it meanwhile (nodes started at once would otherwise each
          // restart its schedule from their own now, and it would fire once per node).
          scheduler.scheduleJob(detail, Set.of(JobTriggers.triggerFor(job, now)), existing != null);
        } catch (ObjectAlreadyExistsException e) {
          if (scheduler.getTrigger(TriggerKey.triggerKey(job.id().value(), JobTriggers.GROUP)) != null) {
            log.info("job {} was scheduled by another node meanwhile; kept as it is", job.id());
            continue;
          }
          // A job left without its trigger: stored again whole.
          scheduler.scheduleJob(detail, Set.of(JobTriggers.triggerFor(job, now)), true);
        }
        log.info("job {} scheduled: {}", job.id(), JobTriggers.spec(job));
      }
      for (JobKey key : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(JobTriggers.GROUP))) {
        if (!wanted.contains(key)) {
          scheduler.deleteJob(key);
          log.info("job {} unscheduled: no longer in config", key.getName());
        }
      }
    } catch (SchedulerException e) {
      throw new IllegalStateException("could not schedule jobs: " + e.getMessage(), e);
    }
  }

  public void start() {
    try {
      scheduler.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("could not start the Quartz scheduler: " + e.getMessage(), e);
    }
  }

  /**
   * Whether the scheduler fires jobs now: started, and neither shut down nor in standby (readiness
   * of the HTTP server).
   */
  public boolean running() {
    try {
      return scheduler.isStarted() && !scheduler.isShutdown() && !scheduler.isInStandbyMode();
    } catch (SchedulerException e) {
      return false;
    }
  }

  /** When {@code job} fires next, if it fires again. */
  public Optional<Instant> nextFireTime(JobId job) {
    try {
      Trigger t = scheduler.getTrigger(TriggerKey.triggerKey(job.value(), JobTriggers.GROUP));
      return Optional.ofNullable(t).map(Trigger::getNextFireTime).map(Date::toInstant);
    } catch (SchedulerException e) {
      throw new IllegalStateException(e);
    }
  }

  /** No new fires; waits for fires in progress (they only hand work on). Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      scheduler.shutdown(true);
    } catch (SchedulerException e) {
      log.warn("Quartz shutdown: {}", e.getMessage());
    }
  }

  /**
   * A fire: hands the job id on, unless a later fire of the same trigger is already due (a
   * catch-up fire after a short downtime; the later one runs). Two fires of one job never overlap
   * in Quartz itself.
   */
  @DisallowConcurrentExecution
  static final class FireJob implements org.quartz.Job {
    private final JobFirer firer;

    FireJob(JobFirer firer) {
      this.firer = firer;
    }

    @Override
    public void execute(JobExecutionContext context) {
      JobId job = new JobId(context.getJobDetail().getKey().getName());
      Instant fireTime = context.getFireTime().toInstant();
      Optional<Instant> next = Optional.ofNullable(context.getNextFireTime()).map(Date::toInstant);
      if (JobTriggers.isSuperseded(fireTime, next)) {
        // INFO, as a misfire is: it is the only trace of a fire time that has no record (after a
        // quick restart, or a cluster node's take-over of a trigger a dead node held).
        log.info(
            "fire of job {} due {} not run: it came late and the next one ({}) is due already;"
                + " late fires run once, the last one",
            job,
            context.getScheduledFireTime().toInstant(),
            next.get());
        return;
      }
      try {
        firer.fire(job, context.getScheduledFireTime().toInstant());
      } catch (RuntimeException e) {
        log.error("fire of job {} failed", job, e);
      }
    }
  }

  /** One INFO line per misfire, so an operator sees why a job ran late or not at all. */
  private static final class MisfireLog extends TriggerListenerSupport {
    @Override
    public String getName() {
      return "fleetrun-misfire-log";
    }

    @Override
    public void triggerMisfired(Trigger trigger) {
      // The description is the job's spec, which names its misfire policy.
      log.info(
          "job {} missed its fire time {}; handled as {}",
          trigger.getKey().getName(),
          Optional.ofNullable(trigger.getNextFireTime()).map(Date::toInstant).orElse(null),
          trigger.getDescription());
    }
  }

  private static ConnectionProvider provider(DataSource dataSource) {
    return new ConnectionProvider() {
      @Override
      public Connection getConnection() throws SQLException {
        return dataSource.getConnection();
      }

      @Override
      public void shutdown() {}

      @Override
      public void initialize() {}
    };
  }

  private static Properties properties(String schedulerName, String dataSourceName,
      Duration misfireThreshold, Optional<Cluster> cluster) {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", schedulerName);
    p.setProperty("org.quartz.scheduler.instanceId", cluster.map(Cluster::nodeId).orElse("NON_CLUSTERED"));
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(THREADS));
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty("org.quartz.jobStore.driverDelegateClass",
        (cluster.isPresent() ? PostgresDelegate.class : SqliteDelegate.class).getName());
    p.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    // Job data as string properties: no Java serialization of job data in the database.
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    p.setProperty("org.quartz.jobStore.isClustered", Boolean.toString(cluster.isPresent()));
    if (cluster.isPresent()) {
      p.setProperty("org.quartz.jobStore.clusterCheckinInterval",
          Long.toString(CLUSTER_CHECKIN_INTERVAL.toMillis()));
      // Quartz 2.5.2 takes the TRIGGER_ACCESS row lock to acquire triggers only with this flag
      // (or a batch size above 1; JobStoreSupport.acquireNextTriggers), clustered or not:
      // without it two nodes can acquire the same trigger (quartz #107), a duplicate fire.
      p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
      // A node that found nothing to acquire looks again after this (Quartz: 30 s). The node that
      // fired a trigger acquires its next fire at once, so the others mostly idle; when that node
      // dies they must look soon enough for its jobs to go on firing within the failover target.
      p.setProperty("org.quartz.scheduler.idleWaitTime", Long.toString(CLUSTER_IDLE_WAIT.toMillis()));
    }
    p.setProperty(
        "org.quartz.jobStore.misfireThreshold", Long.toString(misfireThreshold.toMillis()));
    return p;
  }
}
