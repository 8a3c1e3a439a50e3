package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.testing.FleetrunProcess;
import io.fleetrun.testing.LocalCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP to a daemon process started from the built jar, as {@code systemctl reload} sends it. */
class ReloadSignalIT {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  @TempDir Path dir;
  private Process daemon;

  @AfterEach
  void cleanUp() {
    if (daemon != null) {
      daemon.destroyForcibly();
    }
  }

  @Test
  void sighupReloadsTheConfigAndTheDaemonGoesOn() throws Exception {
    // The config is a symbolic link whose target the watcher does not see: only SIGHUP reloads it.
    ReloadFixture config = ReloadFixture.in(dir, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { knownHosts: %s, connectTimeout: 2s }
        instances: [ { id: a, host: 127.0.0.1, port: 1 } ]
        commands: [ { id: c, content: "true" } ]
        """.formatted(dir.resolve("fleetrun.db"), dir.resolve("known_hosts")));
    daemon = java("daemon", "--config", config.file().toString()).start();
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
        config.query("SELECT config_loaded_at IS NOT NULL FROM daemon_heartbeat").equals(List.of("1")));
    // Past its start: the daemon compares the file with what it loaded once its watch runs (an
    // edit saved while it started is applied then), and only after that takes CLI requests. An
    // answered request (refused: no such invocation) shows that moment has passed.
    Process stop = java("stop", "t-nothing", "--config", config.file().toString()).start();
    assertThat(stop.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(stop.exitValue()).as("stop of an unknown invocation is refused").isEqualTo(3);

    config.edit("jobs: [ { id: added, command: c, targets: { instances: [a] }, repeat: Once } ]\n");
    // The watcher does not see the edit, although the daemon is alive meanwhile: its heartbeat
    // (every second) moves on past a second after the edit, more than twice the watch debounce.
    Instant edited = Instant.now();
    await().atMost(Duration.ofSeconds(15)).until(() -> Instant.parse(
        config.query("SELECT beat_at FROM daemon_heartbeat").get(0)).isAfter(edited.plusSeconds(1)));
    assertThat(config.query("SELECT count(*) FROM daemon_heartbeat WHERE last_reload_at IS NULL"))
        .containsExactly("1");
    LocalCommand.Result hup = LocalCommand.run(Duration.ofSeconds(10), List.of("kill", "-HUP", String.valueOf(daemon.pid())));
    assertThat(hup.exitCode()).as(hup.output()).isZero();

    await().atMost(Duration.ofSeconds(15)).until(() ->
        config.query("SELECT last_reload_result || ': ' || last_reload_message FROM daemon_heartbeat")
            .equals(List.of("ok: jobs added [added]")));
    // The new job ran (and failed: nothing listens on port 1), so the reload took effect.
    await().atMost(Duration.ofSeconds(15)).until(() ->
        config.query("SELECT job_id || ':' || status FROM invocation").equals(List.of("added:Failed")));
    assertThat(daemon.isAlive()).isTrue();

    daemon.destroy(); // SIGTERM
    assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(daemon.exitValue()).isZero();
  }

  private static ProcessBuilder java(String... args) {
    return FleetrunProcess.command(args);
  }
}
