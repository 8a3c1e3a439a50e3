package io.fleetrun.invoke;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.exec.ExecutorTuning;
import io.fleetrun.exec.MinaSshExecutor;
import io.fleetrun.exec.RemoteExecutor;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Limits;
import io.fleetrun.model.SshSettings;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.Database;
import io.fleetrun.store.InvocationStore;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.JooqInvocationStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the engine's tests run against: an in-process SSH server with a real shell, an SSH
 * executor that trusts its host key strictly, and a SQLite file, all in one test folder; and the
 * invokers a test makes over them, shut down when the rig closes.
 */
final class InvokeRig implements AutoCloseable {
  final EmbeddedSshServer server;
  final MinaSshExecutor executor;
  private final Path dir;
  private final List<Invoker> invokers = new ArrayList<>();
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

  /** The invocation store over the rig's database (as it is now: see {@link #reopenDatabase}). */
  JooqInvocationStore store() {
    return new JooqInvocationStore(db, new StatusCalculator());
  }

  /** An invoker of {@code fleet} over the rig's store and executor. */
  Invoker invoker(Fleet fleet) {
    return invoker(store(), executor, fleet);
  }

  /**
   * An invoker of {@code fleet} writing to {@code store} (the rig's, or one wrapping it), running
   * on {@code remote}, reading from the rig's database; shut down when the rig closes.
   */
  Invoker invoker(InvocationStore store, RemoteExecutor remote, Fleet fleet) {
    Invoker invoker = new Invoker(store, new JdbcInvocationQueries(db), remote, fleet, Clock.systemUTC());
    invokers.add(invoker);
    return invoker;
  }

  /** Shuts the invokers down (at once; 5 s for their threads), closes the executor, then the database and the server. */
  @Override
  public void close() {
    invokers.forEach(invoker -> invoker.shutdown(Duration.ZERO, Duration.ofSeconds(5)));
    executor.close();
    db.close();
    server.close();
  }
}
