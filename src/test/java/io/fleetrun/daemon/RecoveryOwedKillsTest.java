package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.exec.OrphanKill;
import io.fleetrun.exec.ProcessMarker;
import io.fleetrun.exec.RemoteExecutor;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.Database;
import io.fleetrun.store.DatabaseClock;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.NewInvocation;
import io.fleetrun.store.NodeRegistry;
import io.fleetrun.store.PendingRecord;
import io.fleetrun.testing.MigratedPostgres;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A survivor that dies after its take-over committed and before it killed the dead node's remote
 * processes: the kill it owes is made by its next start, or by the node that declares it dead in
 * turn (real PostgreSQL; the kills are counted, not sent: the targets do not exist).
 */
class RecoveryOwedKillsTest {
  private static final Duration WINDOW = NodeRegistry.FAILOVER_WINDOW;
  private MigratedPostgres pg;
  private Database db;
  private final List<String> kills = new CopyOnWriteArrayList<>();
  private final RemoteExecutor counting = (RemoteExecutor) Proxy.newProxyInstance(
      RemoteExecutor.class.getClassLoader(), new Class<?>[] {RemoteExecutor.class}, (proxy, m, args) -> {
        if (m.getName().equals("killOrphan") && args.length == 4) {
          kills.add(((Instance) args[0]).id().value() + " " + ((ProcessMarker) args[3]).value());
          return CompletableFuture.completedFuture(new OrphanKill.Killed(List.of(4242L)));
        }
        throw new UnsupportedOperationException(m.getName());
      });
  private final Fleet fleet = new Fleet(List.of(new Instance(new InstanceId("a"), "127.0.0.1", 1, "fleet",
      Optional.empty(), Optional.empty(), Set.of())), List.of(), List.of());
  private String marker;

  @BeforeEach
  void open() {
    pg = MigratedPostgres.open("owedkills");
    db = pg.db();
    node("dead", 60);
    node("s1", 0);
    node("s2", 0);
    PendingRecord record = store("dead").createWithRecords(new NewInvocation(new InvokeId("t-dead"), Optional.empty(),
        new CommandId("c"), "sleep 600", Map.of(), RepeatMode.Once, Optional.empty(), List.of(new InstanceId("a")),
        Instant.now()), Instant.now()).get(0);
    String sent = Instant.now().toString();
    db.dsl().execute("UPDATE invocation_record SET dispatched_at = ?, start_time = ?", sent, sent);
    marker = ProcessMarker.of(new InvokeId("t-dead"), record.id()).value();
    // s1 declares "dead" dead and dies before it kills: only the take-over's transaction ran.
    assertThat(store("s1").takeOverDeadNodes(WINDOW, Instant.now())).hasSize(1);
    assertThat(kills).isEmpty();
  }

  @AfterEach
  void close() {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void theNextStartOfTheSurvivorMakesTheKillItOwes() {
    recovery("s1").repair(fleet);

    assertThat(kills).containsExactly("a " + marker);
    recovery("s1").repair(fleet);
    assertThat(kills).as("tried once, owed no longer").hasSize(1);
  }

  @Test
  void theNodeThatDeclaresTheSurvivorDeadMakesTheKillItOwed() {
    db.dsl().execute("UPDATE daemon_node SET beat_at = " + ago(60) + " WHERE node_id = 's1'");

    recovery("s2").takeOver(fleet, WINDOW);

    assertThat(kills).containsExactly("a " + marker);
    recovery("s2").takeOver(fleet, WINDOW);
    assertThat(kills).as("tried once, owed no longer").hasSize(1);
  }

  @Test
  void aSurvivorStoppedWhileItKillsStillOwesTheKillsItDidNotMake() throws Exception {
    // The daemon's stop interrupts the take-over thread (shutdownNow) while a kill is under way.
    CountDownLatch killing = new CountDownLatch(1);
    RemoteExecutor hanging = (RemoteExecutor) Proxy.newProxyInstance(RemoteExecutor.class.getClassLoader(),
        new Class<?>[] {RemoteExecutor.class}, (proxy, m, args) -> {
          if (m.getName().equals("killOrphan") && args.length == 4) {
            killing.countDown();
            return new CompletableFuture<OrphanKill>(); // a target slow to answer
          }
          throw new UnsupportedOperationException(m.getName());
        });
    db.dsl().execute("UPDATE daemon_node SET beat_at = " + ago(60) + " WHERE node_id = 's1'");
    Recovery s2 = new Recovery(store("s2"), hanging, Duration.ofSeconds(30), Clock.systemUTC());
    Thread takeover = new Thread(() -> s2.takeOver(fleet, WINDOW), "takeover-under-test");
    takeover.start();
    assertThat(killing.await(20, TimeUnit.SECONDS)).as("the kill started").isTrue();

    takeover.interrupt();
    takeover.join(TimeUnit.SECONDS.toMillis(20));

    assertThat(takeover.isAlive()).isFalse();
    assertThat(db.dsl().fetchValue("SELECT kill_pending_by FROM invocation_record"))
        .as("the kill was never made: still owed, by the node that took it on")
        .isEqualTo("s2");
  }

  private Recovery recovery(String node) {
    return new Recovery(store(node), counting, Duration.ofSeconds(1), Clock.systemUTC());
  }

  private JooqInvocationStore store(String node) {
    return new JooqInvocationStore(db, new StatusCalculator(), node);
  }

  /** A daemon_node row whose beat is {@code beatAgo} seconds old by the database's clock. */
  private void node(String id, int beatAgo) {
    db.dsl().execute("INSERT INTO daemon_node (node_id, host, pid, version, config_digest, started_at, beat_at)"
        + " VALUES (?, 'h', 1, 'test', 'd', ?, " + ago(beatAgo) + ")", id, Instant.now().toString());
  }

  private static String ago(int seconds) {
    return DatabaseClock.agoText(Duration.ofSeconds(seconds));
  }

}
