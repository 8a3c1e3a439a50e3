package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.store.DaemonInfo;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.testing.FleetrunProcess;
import io.fleetrun.testing.SqlReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ending a {@code fleetrun run} that waits for the daemon's answer (Ctrl-C, kill) withdraws the
 * request. The CLI is a real process that gets a real signal; the daemon it waits for is a heartbeat row the
 * test keeps fresh with nobody behind it (a daemon that hangs), so the request is never taken.
 */
class CliInterruptIT {
  @TempDir Path dir;

  @Test
  void endingTheCliWhileItWaitsWithdrawsTheRequest() throws Exception {
    Path dbFile = dir.resolve("fleetrun.db");
    Path config = dir.resolve("fleetrun.yaml");
    Files.writeString(config, """
        database: { url: "jdbc:sqlite:%s" }
        instances:
          - { id: web-1, host: 127.0.0.1, port: %d }
        commands:
          - { id: hi, content: "echo hi" }
        """.formatted(dbFile, closedLoopbackPort()));
    Path output = dir.resolve("cli.out");
    ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor();
    try (Database db = Database.open("jdbc:sqlite:" + dbFile)) {
      JooqControlChannel channel = new JooqControlChannel(db);
      DaemonInfo hung = new DaemonInfo("hung", 1, "localhost", "test", config.toString(), Instant.now());
      beat.scheduleWithFixedDelay(() -> channel.heartbeat(hung, Instant.now()), 0, 1, TimeUnit.SECONDS);
      Process cli = FleetrunProcess.command("run", "--config", config.toString(), "--command", "hi",
              "--instances", "web-1", "--answer-timeout", "5m")
          .redirectOutput(output.toFile())
          .start();
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> query(dbFile, "SELECT count(*) FROM control_request").equals(List.of("1")));

        // TERM rather than INT: a process started in the background by a non-interactive shell
        // (as a CI runner may start the build) inherits SIGINT ignored, and the JVM then never
        // sees it. Both run the same shutdown hooks, which withdraw. The shell's builtin kill,
        // with the CLI's own (positive) pid.
        new ProcessBuilder("sh", "-c", "kill -TERM " + cli.pid()).start().waitFor(10, TimeUnit.SECONDS);

        assertThat(cli.waitFor(20, TimeUnit.SECONDS)).as("the CLI ends within its withdraw bound").isTrue();
      } finally {
        cli.destroyForcibly();
      }
    } finally {
      beat.shutdownNow();
    }
    assertThat(query(dbFile, "SELECT (claimed_at IS NULL) || (withdrawn_at IS NOT NULL) FROM control_request"))
        .as("the CLI said: %s", Files.readString(output))
        .containsExactly("11");
    assertThat(Files.readString(output))
        .contains("interrupted: the daemon had not taken the request; it was withdrawn and will not run");
  }

  private static List<String> query(Path db, String sql) throws Exception {
    return SqlReader.firstColumn(db, sql);
  }

  private static int closedLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
