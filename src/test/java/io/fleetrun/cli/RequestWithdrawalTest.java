package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.config.ConfigLoader;
import io.fleetrun.daemon.Daemon;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.DaemonInfo;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.RequestState;
import io.fleetrun.testing.SqlReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CLI that gives up waiting withdraws its request: the daemon never takes it, even when it
 * starts polling afterwards. The "daemon" the CLI sees alive is a heartbeat row with nobody
 * behind it (a daemon that hangs), so the CLI's answer timeout passes for sure.
 */
class RequestWithdrawalTest {
  @TempDir Path dir;
  private Path configFile;
  private Path dbFile;
  private Database db;
  private Daemon daemon;

  @BeforeEach
  void setUp() throws IOException {
    dbFile = dir.resolve("fleetrun.db");
    configFile = dir.resolve("fleetrun.yaml");
    Files.writeString(configFile, """
        database: { url: "jdbc:sqlite:%s" }
        instances:
          - { id: web-1, host: 127.0.0.1, port: %d }
        commands:
          - { id: hi, content: "echo hi" }
        """.formatted(dbFile, closedLoopbackPort()));
    db = Database.open("jdbc:sqlite:" + dbFile);
  }

  @AfterEach
  void tearDown() {
    if (daemon != null) {
      daemon.close();
    }
    db.close();
  }

  @Test
  void aRunRequestTheCliGaveUpOnIsWithdrawnAndADaemonStartedLaterNeverRunsIt() throws Exception {
    JooqControlChannel channel = new JooqControlChannel(db);
    DaemonInfo hung = new DaemonInfo("hung-" + UUID.randomUUID(), 1, "localhost", "test",
        configFile.toString(), Instant.now());
    channel.heartbeat(hung, Instant.now());

    CliRun cli = cli("run", "--config", configFile.toString(), "--command", "hi", "--instances", "web-1",
        "--answer-timeout", "1s");

    channel.removeHeartbeat(hung.nodeId());
    daemon = Daemon.start(ConfigLoader.load(configFile), Clock.systemUTC(), new Daemon.Settings(
        Duration.ofSeconds(1), Duration.ofSeconds(5), "withdraw-" + UUID.randomUUID(), Duration.ofMillis(100)));
    // A later request that the daemon answers: it was taken after the withdrawn one had its chance
    // (requests are taken oldest first, all at once).
    long later = channel.submit(new ControlRequest.Stop(new InvokeId("no-such-invocation"), Set.of()), Instant.now());
    await().atMost(Duration.ofSeconds(20)).until(() ->
        channel.findRequest(later).flatMap(RequestState::answer).isPresent());

    assertThat(query("SELECT count(*) FROM invocation")).as("the withdrawn run never ran").containsExactly("0");
    assertThat(query("SELECT kind || ':' || (claimed_at IS NULL) || (withdrawn_at IS NOT NULL) || "
        + "(done_at IS NOT NULL) || ':' || coalesce(invoke_id, '-') FROM control_request ORDER BY request_id"))
        .containsExactly("run:111:-", "stop:001:-");
    assertThat(cli.exit()).isEqualTo(7);
    assertThat(cli.err()).contains("the daemon had not taken the request; it was withdrawn and will not run");
  }

  @Test
  void aStopRequestTheCliGaveUpOnIsWithdrawnToo() throws Exception {
    JooqControlChannel channel = new JooqControlChannel(db);
    channel.heartbeat(new DaemonInfo("hung", 1, "localhost", "test", configFile.toString(), Instant.now()),
        Instant.now());

    CliRun cli = cli("stop", "--config", configFile.toString(), "some-invocation", "--instance",
        new InstanceId("web-1").value(), "--answer-timeout", "500ms");

    assertThat(cli.exit()).isEqualTo(7);
    assertThat(cli.err()).contains("it was withdrawn and will not run");
    assertThat(query("SELECT (claimed_at IS NULL) || (withdrawn_at IS NOT NULL) FROM control_request"))
        .containsExactly("11");
    assertThat(channel.claimPending(Instant.now())).isEmpty();
  }


  private List<String> query(String sql) throws Exception {
    return SqlReader.firstColumn(dbFile, sql);
  }

  private static int closedLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static CliRun cli(String... args) {
    return CliRun.of(args);
  }
}
