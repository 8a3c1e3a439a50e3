package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.NewInvocation;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An edit saved while the daemon starts (after it read the config, before its file watch runs)
 * is applied. The start is held in that window by its repair: a previous daemon left a record
 * Running on instance {@code slow}, whose address is a socket this test accepts on and keeps
 * silent, so the repair's orphan kill waits there until the test closes the connection.
 */
class StartWindowEditTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private EmbeddedSshServer server;
  private ServerSocket slow;
  private ReloadFixture config;
  private CompletableFuture<Daemon> starting;

  @BeforeEach
  void setUp() throws Exception {
    server = EmbeddedSshServer.start(dir.resolve("ssh"));
    slow = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    config = ReloadFixture.in(dir, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { user: %s, identityFile: %s, knownHosts: %s, connectTimeout: 20s }
        instances:
          - { id: a, host: 127.0.0.1, port: %d }
          - { id: slow, host: 127.0.0.1, port: %d }
        """.formatted(dir.resolve("fleetrun.db"), System.getProperty("user.name"), server.clientKey(),
            server.knownHosts(), server.port(), slow.getLocalPort()));
  }

  @AfterEach
  void tearDown() throws Exception {
    slow.close();
    if (starting != null) {
      starting.get(30, TimeUnit.SECONDS).close();
    }
    server.close();
  }

  @Test
  void aJobAddedWhileTheDaemonRepairsAtStartRuns() throws Exception {
    String commands = "commands: [ { id: hi, content: \"echo hi-{{fleetrun.instanceId}}\" } ]\n";
    config.save(commands);
    leaveARecordRunningOn("slow");

    starting = CompletableFuture.supplyAsync(config::start);
    try (Socket repairConnection = acceptWithin(WAIT)) {
      // The daemon has read the config and now waits in repair for this connection.
      config.save(commands + "jobs: [ { id: added, command: hi, targets: { instances: [a] }, repeat: Once } ]\n");
    }
    starting.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> config.records("added").equals(List.of("a:Finished:hi-a")));
    assertThat(config.query("SELECT last_reload_result || ': ' || last_reload_message FROM daemon_heartbeat"))
        .containsExactly("ok: jobs added [added]");
  }

  @Test
  void aJobRemovedWhileTheDaemonRepairsAtStartNeverFires() throws Exception {
    String commands = "commands: [ { id: hi, content: \"echo hi-{{fleetrun.instanceId}}\" } ]\n";
    String kept = "{ id: kept, command: hi, targets: { instances: [a] }, repeat: Once }";
    config.save(commands + "jobs: [ " + kept
        + ", { id: removed, command: hi, targets: { instances: [a] }, repeat: Once } ]\n");
    leaveARecordRunningOn("slow");

    starting = CompletableFuture.supplyAsync(config::start);
    try (Socket repairConnection = acceptWithin(WAIT)) {
      config.save(commands + "jobs: [ " + kept + " ]\n");
    }
    starting.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    // Both jobs were due the moment the scheduler started: the kept one's record shows that
    // moment has passed, so the removed one would have fired by now had the edit come too late.
    // The daemon compares the file before it starts the scheduler; when it compared just after
    // (this test's first version), the removed job still fired whenever Quartz's first
    // acquisition beat the reload, a race of milliseconds that this test rarely lost.
    await().atMost(WAIT).until(() -> config.records("kept").equals(List.of("a:Finished:hi-a")));
    assertThat(config.records("removed")).isEmpty();
  }

  @Test
  void anUnchangedFileIsNotReloadedAtStart() throws Exception {
    config.save("commands: [ { id: hi, content: \"echo hi\" } ]\n"
        + "jobs: [ { id: once, command: hi, targets: { instances: [a] }, repeat: Once } ]\n");

    starting = CompletableFuture.completedFuture(config.start());

    await().atMost(WAIT).until(() -> config.records("once").size() == 1);
    assertThat(config.query("SELECT count(*) FROM daemon_heartbeat WHERE last_reload_at IS NULL"))
        .containsExactly("1");
  }

  private void leaveARecordRunningOn(String instance) {
    try (Database db = Database.open("jdbc:sqlite:" + config.db())) {
      JooqInvocationStore store = new JooqInvocationStore(db, new StatusCalculator());
      InvokeId id = InvokeId.random();
      store.createInvocation(new NewInvocation(id, Optional.empty(), new CommandId("hi"), "echo hi", Map.of(),
          RepeatMode.Once, Optional.empty(), List.of(new InstanceId(instance)), Instant.now()));
      store.startRecord(id, new InstanceId(instance), Instant.now());
    }
  }

  private Socket acceptWithin(Duration max) throws IOException {
    slow.setSoTimeout((int) max.toMillis());
    return slow.accept();
  }
}
