package io.fleetrun.schedule;

import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
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
 * The Quartz scheduler of one daemon: a JDBC job store (not clustered) in the fleetrun database,
 * one Quartz job and trigger per fleetrun job. Quartz jobs carry only the job id; they are built
 * by a job factory that hands them the {@link JobFirer}.
 */
public final class FleetScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FleetScheduler.class);

  /**
   * How late a fire may be and still count as on time. A fire later than this (the daemon was
   * down, or far too busy) is a misfire and follows the job's misfire policy.
   */
  public static final Duration DEFAULT_MISFIRE_THRESHOLD = Duration.ofSeconds(10);

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
    if (misfireThreshold.toMillis() < 1) {
      throw new IllegalArgumentException("misfire threshold must be at least 1ms");
    }
    String dataSourceName = "fleetrun-" + UUID.randomUUID();
    DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, provider(dataSource));
    try {
      scheduler =
          new StdSchedulerFactory(properties(schedulerName, dataSourceName, misfireThreshold))
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
        JobDetail detail = JobBuilder.newJob(FireJob.class).withIdentity(key).storeDurably(false).build();
        scheduler.scheduleJob(detail, Set.of(JobTriggers.triggerFor(job, now)), true);
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
        log.debug(
            "fire of job {} due {} not handed on: the next one ({}) is due already",
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

  private static Properties properties(
      String schedulerName, String dataSourceName, Duration misfireThreshold) {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", schedulerName);
    p.setProperty("org.quartz.scheduler.instanceId", "NON_CLUSTERED");
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", "4");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty("org.quartz.jobStore.driverDelegateClass", SqliteDelegate.class.getName());
    p.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    // Job data as string properties: no Java serialization of job data in the database.
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    p.setProperty("org.quartz.jobStore.isClustered", "false");
    p.setProperty(
        "org.quartz.jobStore.misfireThreshold", Long.toString(misfireThreshold.toMillis()));
    return p;
  }
}
