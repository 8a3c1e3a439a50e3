package io.fleetrun.observe;

import io.fleetrun.invoke.RunEvent;
import io.fleetrun.invoke.RunEvents;
import io.fleetrun.model.JobId;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's Prometheus metrics, in a registry of their own (never the client's global one):
 * counters and histograms fed by {@link RunEvent}s (subscribe it to the engine's event feed) and
 * by the timing callbacks the daemon wires ({@link #sshConnected}, {@link #databaseWrite}),
 * gauges read at each scrape from {@link Gauges}, and the JVM's own metrics. {@link #write} gives
 * the Prometheus text format. It also counts webhook deliveries ({@link WebhookCounters}). Labels
 * stay bounded: status, detail status, error code, job id and hook id (jobs and hooks come from
 * the config), never an instance or an invoke id.
 */
public final class Metrics implements RunEvents, WebhookCounters {
  private static final Logger log = LoggerFactory.getLogger(Metrics.class);
  /** Runs: from sub-second scripts to the longest timeouts people set (hours). */
  private static final double[] RUN_SECONDS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
      10800};
  /** Connect and login: LAN handshakes take milliseconds, the connect timeout bounds them. */
  private static final double[] CONNECT_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  /** Schedule-to-start: a start within the second is normal; minutes mean a backlog or a misfire. */
  private static final double[] DELAY_SECONDS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900};
  /** A journal batch commit: SQLite commits in milliseconds; seconds mean a contended database. */
  private static final double[] WRITE_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
      1, 2.5, 5};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter recordsEnded;
  private final Counter recordsStarted;
  private final Counter invocationsEnded;
  private final Histogram recordDuration;
  private final Histogram scheduleDelay;
  private final Histogram sshConnect;
  private final Histogram databaseWrite;
  private final Counter webhookDeliveries;
  private final Counter webhookFailedAttempts;
  private final Counter webhookDropped;

  public Metrics(Gauges gauges) {
    recordsEnded = Counter.builder().name("fleetrun_records_ended_total")
        .help("Records whose end was written, by record status, detail status, error code and job (\"\" for ad-hoc"
            + " runs and for no error code)")
        .labelNames("status", "detail_status", "error_code", "job")
        .register(registry);
    recordsStarted = Counter.builder().name("fleetrun_records_started_total")
        .help("Records whose exec request went to their target (start_time written), by job (\"\" for ad-hoc runs)")
        .labelNames("job")
        .register(registry);
    invocationsEnded = Counter.builder().name("fleetrun_invocations_ended_total")
        .help("Invocations whose overall status became an end status (Finished, Failed, PartialFailed, Stopped)")
        .labelNames("status")
        .register(registry);
    recordDuration = Histogram.builder().name("fleetrun_record_duration_seconds")
        .help("From a record's hand-over to SSH (connect and login included) to its end, by record status")
        .labelNames("status")
        .classicOnly().classicUpperBounds(RUN_SECONDS)
        .register(registry);
    scheduleDelay = Histogram.builder().name("fleetrun_schedule_to_start_delay_seconds")
        .help("From a record's scheduled_at (the fire's due time, or when an ad-hoc run was taken) to its start_time")
        .classicOnly().classicUpperBounds(DELAY_SECONDS)
        .register(registry);
    sshConnect = Histogram.builder().name("fleetrun_ssh_connect_seconds")
        .help("TCP connect, key exchange and login of each new SSH connection")
        .classicOnly().classicUpperBounds(CONNECT_SECONDS)
        .register(registry);
    databaseWrite = Histogram.builder().name("fleetrun_database_write_seconds")
        .help("One group commit of record changes (starts, ends, statuses), begin to commit")
        .classicOnly().classicUpperBounds(WRITE_SECONDS)
        .register(registry);
    webhookDeliveries = Counter.builder().name("fleetrun_webhook_deliveries_total")
        .help("Webhook deliveries that ended, by hook and outcome (delivered, given_up, abandoned at a stop or"
            + " a hook's removal)")
        .labelNames("hook", "outcome")
        .register(registry);
    webhookFailedAttempts = Counter.builder().name("fleetrun_webhook_failed_attempts_total")
        .help("Webhook delivery attempts that failed (not 2xx, timeout, refused), by hook")
        .labelNames("hook")
        .register(registry);
    webhookDropped = Counter.builder().name("fleetrun_webhook_dropped_total")
        .help("Webhook deliveries dropped because the hook's queue was full, by hook")
        .labelNames("hook")
        .register(registry);
    gauge("fleetrun_records_running", "Records of this daemon handed to SSH whose end is not written yet",
        () -> gauges.recordsRunning().getAsInt());
    gauge("fleetrun_records_pending", "Records of this daemon waiting for their turn under maxConcurrency",
        () -> gauges.recordsPending().getAsInt());
    gauge("fleetrun_ssh_connections", "SSH connections open or being opened (kept idle ones included)",
        () -> gauges.sshConnections().getAsInt());
    gauge("fleetrun_ssh_sessions", "Session channels of runs on the SSH connections",
        () -> gauges.sshSessions().getAsInt());
    gauge("fleetrun_invocations_running", "Invocations whose overall status is Running, in the database",
        () -> gauges.invocationsRunning().getAsInt());
    optionalGauge("fleetrun_heartbeat_timestamp_seconds",
        "When this daemon last wrote its heartbeat (Unix time); absent before the first",
        () -> gauges.lastHeartbeat().get().map(Metrics::seconds));
    optionalGauge("fleetrun_config_reload_success",
        "1 when the last config reload was applied, 0 when it was refused; absent before the first reload",
        () -> gauges.lastReload().get().map(r -> r.applied() ? 1.0 : 0.0));
    optionalGauge("fleetrun_config_reload_timestamp_seconds", "When the last config reload was tried (Unix time)",
        () -> gauges.lastReload().get().map(r -> seconds(r.at())));
    CounterWithCallback.builder().name("fleetrun_events_dropped_total")
        .help("Run events dropped because a subscriber's queue was full")
        .callback(cb -> cb.call(gauges.eventsDropped().getAsLong()))
        .register(registry);
    JvmMetrics.builder().register(registry);
  }

  @Override
  public void on(RunEvent event) {
    if (event instanceof RunEvent.RecordEnded ended) {
      recordsEnded.labelValues(ended.status().name(), ended.detail().name(),
          ended.errorCode().map(Enum::name).orElse(""), job(ended.job())).inc();
      ended.duration().ifPresent(d -> recordDuration.labelValues(ended.status().name()).observe(seconds(d)));
    } else if (event instanceof RunEvent.RecordStarted started) {
      recordsStarted.labelValues(job(started.job())).inc();
      scheduleDelay.observe(seconds(started.scheduleToStart()));
    } else if (event instanceof RunEvent.InvocationStatusChanged changed && changed.status().isEnded()) {
      invocationsEnded.labelValues(changed.status().name()).inc();
    }
  }

  @Override
  public void ended(String hook, Outcome outcome) {
    webhookDeliveries.labelValues(hook, outcome.name()).inc();
  }

  @Override
  public void attemptFailed(String hook) {
    webhookFailedAttempts.labelValues(hook).inc();
  }

  @Override
  public void dropped(String hook) {
    webhookDropped.labelValues(hook).inc();
  }

  /** A new SSH connection took {@code took} to connect and log in. */
  public void sshConnected(Duration took) {
    sshConnect.observe(seconds(took));
  }

  /** A group commit of record changes took {@code took}. */
  public void databaseWrite(Duration took) {
    databaseWrite.observe(seconds(took));
  }

  /** The content type of {@link #write}'s output. */
  public String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  /** Writes every metric in the Prometheus text format (version 0.0.4) to {@code out}. */
  public void write(OutputStream out) throws IOException {
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
  }

  private void gauge(String name, String help, DoubleSupplier value) {
    optionalGauge(name, help, () -> Optional.of(value.getAsDouble()));
  }

  private void optionalGauge(String name, String help, java.util.function.Supplier<Optional<Double>> value) {
    GaugeWithCallback.builder().name(name).help(help)
        .callback(cb -> read(name, value).ifPresent(v -> cb.call(v)))
        .register(registry);
  }

  /** A gauge's value, or empty when its supplier failed (logged at DEBUG: a scrape must not fail). */
  private static Optional<Double> read(String name, java.util.function.Supplier<Optional<Double>> value) {
    try {
      return value.get();
    } catch (RuntimeException e) {
      log.debug("metric {}: not read ({})", name, e.toString());
      return Optional.empty();
    }
  }

  private static String job(Optional<JobId> job) {
    return job.map(JobId::value).orElse("");
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static double seconds(Instant at) {
    return at.getEpochSecond() + at.getNano() / 1e9;
  }
}
