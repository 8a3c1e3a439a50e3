package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JooqDaemonLeaseTest extends EmptyDatabaseOnBothBackends {
  private static final Instant T0 = Instant.parse("2026-11-28T07:10:03.123Z");
  private static final Duration STALE = Heartbeat.ALIVE_WITHIN;

  private static DaemonInfo daemon(String node, long pid) {
    return new DaemonInfo(node, pid, "host-" + node, "dev", "/etc/fleetrun.yaml", T0);
  }

  @Test
  void aFreeLeaseIsTakenAndAFreshOneIsRefusedNamingItsHolder() {
    try (Database db = Database.open(settings)) {
      JooqDaemonLease lease = new JooqDaemonLease(db);

      assertThat(lease.claim(daemon("a", 11), T0, STALE)).isEqualTo(new LeaseClaim.Taken(Optional.empty()));
      lease.renew("a", T0.plusSeconds(2));

      assertThat(lease.claim(daemon("b", 22), T0.plusSeconds(6), STALE)).isEqualTo(new LeaseClaim.Held(
          new LeaseHolder("a", 11, "host-a", T0, T0.plusSeconds(2))));
      assertThat(lease.holder()).map(LeaseHolder::nodeId).contains("a");
    }
  }

  @Test
  void aStaleLeaseIsTakenOverAndItsFormerHolderLearnsItLostIt() {
    try (Database db = Database.open(settings)) {
      JooqDaemonLease lease = new JooqDaemonLease(db);
      lease.claim(daemon("a", 11), T0, STALE);

      LeaseClaim claim = lease.claim(daemon("b", 22), T0.plus(STALE).plusMillis(1), STALE);

      assertThat(claim).isInstanceOf(LeaseClaim.Taken.class);
      assertThat(((LeaseClaim.Taken) claim).previous()).map(LeaseHolder::nodeId).contains("a");
      assertThat(lease.renew("a", T0.plusSeconds(7))).isFalse();
      assertThat(lease.renew("b", T0.plusSeconds(7))).isTrue();
    }
  }

  @Test
  void releaseFreesTheLeaseAtOnceButOnlyForItsHolder() {
    try (Database db = Database.open(settings)) {
      JooqDaemonLease lease = new JooqDaemonLease(db);
      lease.claim(daemon("a", 11), T0, STALE);

      lease.release("b");
      assertThat(lease.holder()).isPresent();
      lease.release("a");

      assertThat(lease.holder()).isEmpty();
      assertThat(lease.claim(daemon("b", 22), T0.plusMillis(1), STALE)).isInstanceOf(LeaseClaim.Taken.class);
    }
  }

  @Test
  void ofTwoDaemonsClaimingAtOnceOnlyOneGetsTheLease() throws Exception {
    int contenders = 4;
    List<Database> dbs = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(contenders);
    try {
      for (int i = 0; i < contenders; i++) {
        dbs.add(Database.open(settings)); // one pool each, as separate processes would have
      }
      CyclicBarrier start = new CyclicBarrier(contenders);
      List<Future<LeaseClaim>> claims = new ArrayList<>();
      for (int i = 0; i < contenders; i++) {
        JooqDaemonLease lease = new JooqDaemonLease(dbs.get(i));
        DaemonInfo me = daemon("n" + i, 100 + i);
        claims.add(pool.submit(() -> {
          start.await(5, TimeUnit.SECONDS);
          return lease.claim(me, T0, STALE);
        }));
      }
      long taken = 0;
      for (Future<LeaseClaim> claim : claims) {
        if (claim.get(20, TimeUnit.SECONDS) instanceof LeaseClaim.Taken) {
          taken++;
        }
      }
      assertThat(taken).isEqualTo(1);
    } finally {
      pool.shutdownNow();
      dbs.forEach(Database::close);
    }
  }
}
