package io.fleetrun.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.invoke.RunEvent;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.testing.PrometheusText;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** config/grafana-dashboard.json is valid JSON and asks only for metrics the daemon exposes. */
class GrafanaDashboardTest {
  private static final Path DASHBOARD = Path.of("config", "grafana-dashboard.json");
  private static final Pattern METRIC = Pattern.compile("\\b((?:fleetrun|jvm)_[a-z0-9_]+)\\b");

  @Test
  void everyMetricTheDashboardQueriesIsInTheDaemonsExposition() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> exprs = new ArrayList<>();
    dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
    dashboard.findValues("definition").forEach(e -> exprs.add(e.asText()));
    Set<String> used = new TreeSet<>();
    for (String expr : exprs) {
      Matcher m = METRIC.matcher(expr);
      while (m.find()) {
        used.add(m.group(1));
      }
    }

    Set<String> exposed = exposedNames();

    assertThat(exprs).hasSizeGreaterThan(10);
    assertThat(exposed).containsAll(used);
    // The dashboard shows every fleetrun metric the README lists (not only some).
    assertThat(used).contains("fleetrun_records_ended_total", "fleetrun_record_duration_seconds_bucket",
        "fleetrun_schedule_to_start_delay_seconds_bucket", "fleetrun_ssh_connect_seconds_bucket",
        "fleetrun_database_write_seconds_bucket", "fleetrun_records_running", "fleetrun_records_pending",
        "fleetrun_ssh_connections", "fleetrun_ssh_sessions", "fleetrun_invocations_running",
        "fleetrun_invocations_ended_total", "fleetrun_heartbeat_timestamp_seconds",
        "fleetrun_config_reload_success", "fleetrun_config_reload_timestamp_seconds", "fleetrun_events_dropped_total");
  }

  /** The sample names of a registry that has seen one of everything. */
  private static Set<String> exposedNames() throws Exception {
    Instant now = Instant.parse("2026-12-01T10:00:00Z");
    Metrics metrics = new Metrics(new Gauges(() -> 1, () -> 2, () -> 3, () -> 4, () -> 5, () -> 6,
        () -> Optional.of(now), () -> Optional.of(new Gauges.Reload(true, now))));
    InvokeId invoke = new InvokeId("t-abc");
    metrics.on(new RunEvent.RecordStarted(new RecordId(1), invoke, Optional.of(new JobId("nightly")),
        new InstanceId("web-1"), now, Duration.ofMillis(20)));
    metrics.on(new RunEvent.RecordEnded(new RecordId(1), invoke, Optional.of(new JobId("nightly")),
        new InstanceId("web-1"), RecordStatus.Failed, DetailStatus.Timeout, Optional.of(ErrorCode.ExecutionTimeout),
        Optional.empty(), now, Optional.of(Duration.ofSeconds(3)), Optional.of(Duration.ofMillis(20))));
    metrics.on(new RunEvent.InvocationStatusChanged(invoke, InvocationStatus.Failed));
    metrics.sshConnected(Duration.ofMillis(30));
    metrics.databaseWrite(Duration.ofMillis(2));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.write(out);
    return new PrometheusText(out.toString(StandardCharsets.UTF_8)).names();
  }
}
