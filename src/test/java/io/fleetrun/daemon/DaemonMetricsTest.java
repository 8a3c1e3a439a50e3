package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.testing.PrometheusText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics of an in-process daemon: fed by its job's runs, its heartbeat and its reloads. */
class DaemonMetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String BODY = """
      commands: [ { id: hi, content: "echo hi" } ]
      jobs: [ { id: greet, command: hi, targets: { instances: [a] }, repeat: Period, frequency: "%s" } ]
      """;

  @TempDir Path dir;
  private EmbeddedSshServer server;
  private ReloadFixture config;
  private Daemon daemon;

  @BeforeEach
  void startServer() throws Exception {
    server = EmbeddedSshServer.start(dir.resolve("ssh"));
    config = ReloadFixture.in(dir, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { user: %s, identityFile: %s, knownHosts: %s, connectTimeout: 5s }
        instances:
          - { id: a, host: 127.0.0.1, port: %d }
        """.formatted(dir.resolve("fleetrun.db"), System.getProperty("user.name"), server.clientKey(),
        server.knownHosts(), server.port()));
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    server.close();
  }

  @Test
  void jobRunsHeartbeatAndReloadsShowInTheDaemonsMetrics() {
    config.edit(BODY.formatted("rate(1s)"));
    Instant started = Instant.now();
    daemon = config.start();

    await().atMost(WAIT).until(() -> scrape().sum("fleetrun_records_ended_total",
        Map.of("job", "greet", "status", "Finished", "detail_status", "Success")) >= 1);
    PrometheusText text = scrape();
    assertThat(text.sum("fleetrun_records_started_total", Map.of("job", "greet"))).as(text.toString()).isPositive();
    assertThat(text.sum("fleetrun_ssh_connect_seconds_count")).isPositive();
    assertThat(text.sum("fleetrun_database_write_seconds_count")).isPositive();
    assertThat(text.sum("fleetrun_invocations_running")).isEqualTo(1);
    assertThat(text.sum("fleetrun_ssh_connections")).isPositive();
    await().atMost(WAIT).until(() -> scrape().has("fleetrun_heartbeat_timestamp_seconds"));
    assertThat(scrape().sum("fleetrun_heartbeat_timestamp_seconds")).isGreaterThanOrEqualTo(started.getEpochSecond());
    assertThat(scrape().has("fleetrun_config_reload_success")).as("no reload yet").isFalse();

    config.edit(BODY.formatted("rate(soon)"));
    daemon.reload();
    assertThat(scrape().sum("fleetrun_config_reload_success")).isZero();
    config.edit(BODY.formatted("rate(2s)"));
    daemon.reload();
    assertThat(scrape().sum("fleetrun_config_reload_success")).isEqualTo(1);
    assertThat(scrape().sum("fleetrun_config_reload_timestamp_seconds")).isGreaterThanOrEqualTo(started.getEpochSecond());
  }

  private PrometheusText scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      daemon.metrics().write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PrometheusText(out.toString(StandardCharsets.UTF_8));
  }
}
