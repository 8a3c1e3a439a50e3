package io.fleetrun.invoke;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.exec.ExecutorTuning;
import io.fleetrun.exec.MinaSshExecutor;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Limits;
import io.fleetrun.model.SshSettings;
import io.fleetrun.store.Database;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * What the engine's tests run against: an in-process SSH server with a real shell, an SSH
 * executor that trusts its host key strictly, and a SQLite file, all in one test folder.
 */
final class InvokeRig implements AutoCloseable {
  final EmbeddedSshServer server;
  final MinaSshExecutor executor;
  private final Path dir;
  Database db;

  private InvokeRig(Path dir, EmbeddedSshServer server, MinaSshExecutor executor, Database db) {
    this.dir = dir;
    this.server = server;
    this.executor = executor;
    this.db = db;
  }

  /** A rig in {@code dir} whose executor gives a connection 5 s. */
  static InvokeRig start(Path dir) throws IOException {
    return start(dir, Duration.ofSeconds(5));
  }

  static InvokeRig start(Path dir, Duration connectTimeout) throws IOException {
    EmbeddedSshServer server = EmbeddedSshServer.start(dir.resolve("ssh"));
    SshSettings ssh = new SshSettings("fleet", Optional.empty(), server.knownHosts(),
        HostKeyPolicy.STRICT, connectTimeout, SshSettings.DEFAULT_KEY_EXCHANGES);
    MinaSshExecutor executor = new MinaSshExecutor(ssh, Limits.defaults(), Clock.systemUTC(),
        new ExecutorTuning(Duration.ofMillis(500), 50));
    return new InvokeRig(dir, server, executor, Database.open(url(dir)));
  }

  /** Opens the database again with SQLite busy timeout {@code busyTimeout} (tests of a locked database). */
  void reopenDatabase(Duration busyTimeout) {
    db.close();
    db = Database.open(url(dir), busyTimeout);
  }

  /** The JDBC URL of the rig's database file. */
  static String url(Path dir) {
    return "jdbc:sqlite:" + dir.resolve("fleetrun.db");
  }

  /** An instance {@code id} on the rig's server. */
  Instance instance(String id) {
    return new Instance(new InstanceId(id), "127.0.0.1", server.port(), "fleet",
        Optional.of(server.clientKey()), Optional.empty(), Set.of());
  }

  /** Closes the executor, then the database and the server. */
  @Override
  public void close() {
    executor.close();
    db.close();
    server.close();
  }
}
