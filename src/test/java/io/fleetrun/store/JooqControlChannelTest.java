package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.Threshold;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.fleetrun.testing.StoreBackend;

class JooqControlChannelTest extends StoreOnBothBackends {
  private JooqControlChannel channel;

  @BeforeEach
  void open() {
    channel = new JooqControlChannel(db);
  }

  /**
   * A stop handed to a node and refused at a restart (done, never claimed) stays refused: the
   * next claim of that node must not take it and carry it out late (found by review).
   */
  @Test
  void aRefusedStopHandedToANodeIsNeverClaimedLater() {
    JooqControlChannel nodeB = JooqControlChannel.onControlConnection(db, "node-b");
    db.dsl().execute("INSERT INTO control_request (kind, payload, created_at, done_at, error, for_node)"
        + " VALUES ('stop', '{}', ?, ?, 'refused', 'node-b')", T0.toString(), T0.plusSeconds(1).toString());
    db.dsl().execute("INSERT INTO control_request (kind, payload, created_at, for_node)"
        + " VALUES ('stop', '{}', ?, 'node-b')", T0.plusSeconds(2).toString());

    nodeB.claimPending(T0.plusSeconds(3));

    // The open one was claimed (and, its payload being no stop, answered as unreadable); the
    // refused one was not touched.
    assertThat(db.dsl().fetchValue("SELECT count(*) FROM control_request WHERE claimed_at IS NOT NULL"
        + " AND created_at = ?", T0.plusSeconds(2).toString()).toString()).isEqualTo("1");
    assertThat(db.dsl().fetchValue("SELECT count(*) FROM control_request WHERE claimed_at IS NULL"
        + " AND error = 'refused'").toString()).isEqualTo("1");
  }

  @Test
  void requestsAreClaimedOnceOldestFirstAndAnswered() {
    ControlRequest run = new ControlRequest.Run(new CommandId("uptime"),
        List.of(new InstanceId("web2"), new InstanceId("web1")), Set.of("db", "eu"),
        Map.of("flag", "-p", "x", "a \"quoted\" value"));
    ControlRequest stop = new ControlRequest.Stop(new InvokeId("t-1"), Set.of(new InstanceId("web1")));
    long first = channel.submit(run, T0);
    long second = channel.submit(stop, T0.plusMillis(1));

    assertThat(channel.claimPending(T0.plusSeconds(1)))
        .containsExactly(new PendingRequest(first, run), new PendingRequest(second, stop));
    assertThat(channel.claimPending(T0.plusSeconds(2))).isEmpty();
    assertThat(channel.findRequest(first)).contains(new RequestState(first, Optional.empty()));

    channel.complete(first, new RequestAnswer.Done(new InvokeId("t-new")), T0.plusSeconds(3));
    channel.complete(second, new RequestAnswer.Refused("no invocation t-1"), T0.plusSeconds(3));
    assertThat(channel.findRequest(first)).map(RequestState::answer)
        .contains(Optional.of(new RequestAnswer.Done(new InvokeId("t-new"))));
    assertThat(channel.findRequest(second)).map(RequestState::answer)
        .contains(Optional.of(new RequestAnswer.Refused("no invocation t-1")));
    assertThat(channel.findRequest(99)).isEmpty();
    assertThatThrownBy(() -> channel.complete(99, new RequestAnswer.Refused("x"), T0))
        .isInstanceOf(NoSuchElementException.class);
  }

  /**
   * A node declared dead that wakes still holds the requests it claimed, which the take-over
   * (or a restart) answered meanwhile: its late answer must not replace the one the CLI may
   * already have read.
   */
  @Test
  void theFirstAnswerStaysALateOneIsNotWritten() {
    long id = channel.submit(new ControlRequest.Stop(new InvokeId("t-1"), Set.of()), T0);
    assertThat(channel.claimPending(T0.plusSeconds(1))).hasSize(1);
    assertThat(channel.refuseUnanswered("the daemon stopped while carrying out this request", T0.plusSeconds(2)))
        .isEqualTo(1);

    assertThat(channel.complete(id, new RequestAnswer.Done(new InvokeId("t-1")), T0.plusSeconds(3))).isFalse();
    assertThat(channel.findRequest(id)).map(RequestState::answer)
        .contains(Optional.of(new RequestAnswer.Refused("the daemon stopped while carrying out this request")));
  }

  @Test
  void concurrencyControlsTravelWithARun() {
    ControlRequest run = new ControlRequest.Run(new CommandId("uptime"), List.of(), Set.of("web"), Map.of(),
        new ConcurrencyControls(Optional.of(Threshold.parse("10%")), Optional.of(Threshold.count(0))));
    long id = channel.submit(run, T0);
    assertThat(db.dsl().fetchValue("SELECT " + json("maxConcurrency") + " FROM control_request"))
        .isEqualTo("10%");
    assertThat(channel.claimPending(T0.plusSeconds(1))).containsExactly(new PendingRequest(id, run));
  }

  @Test
  void payloadIsReadableJson() {
    long id = channel.submit(new ControlRequest.Stop(new InvokeId("t-1"), Set.of()), T0);
    assertThat(db.dsl().fetchValue("SELECT " + json("invokeId") + " FROM control_request WHERE request_id = " + id))
        .isEqualTo("t-1");
    assertThat(db.dsl().fetchValue("SELECT kind FROM control_request")).isEqualTo("stop");
  }

  /** A field of the payload, read by the database's own JSON functions (an operator's query). */
  private String json(String field) {
    return backend == StoreBackend.SQLITE ? "json_extract(payload, '$." + field + "')"
        : "(payload::jsonb ->> '" + field + "')";
  }

  @Test
  void anUnreadableRequestIsAnsweredWithAnErrorAndDoesNotBlockOthers() {
    db.dsl().execute("INSERT INTO control_request (kind, payload, created_at) "
        + "VALUES ('run', '{\"command\": \"\"}', '2026-11-28T07:10:03.123Z')");
    long good = channel.submit(new ControlRequest.Stop(new InvokeId("t-1"), Set.of()), T0);

    assertThat(channel.claimPending(T0)).extracting(PendingRequest::id).containsExactly(good);
    RequestState bad = channel.findRequest(good - 1).orElseThrow();
    assertThat(bad.answer()).hasValueSatisfying(a -> assertThat(a).isInstanceOf(RequestAnswer.Refused.class));
  }

  @Test
  void heartbeatTellsWhetherTheDaemonIsAlive() {
    assertThat(channel.latestHeartbeat()).isEmpty();
    DaemonInfo daemon = new DaemonInfo("node-1", 4242, "box", "0.1.0", "/etc/fleetrun.yaml", T0);
    channel.heartbeat(daemon, T0.plusSeconds(1));
    channel.heartbeat(daemon, T0.plusSeconds(2));

    Heartbeat beat = channel.latestHeartbeat().orElseThrow();
    assertThat(beat.daemon()).isEqualTo(daemon);
    if (db.isPostgresql()) {
      // Written and judged by the database's clock: the instants handed in play no part.
      assertThat(beat.readAt()).isPresent();
      assertThat(beat.age(T0)).isLessThan(Heartbeat.ALIVE_WITHIN);
      assertThat(beat.isAlive(T0.plus(Duration.ofDays(30)))).isTrue();
      db.dsl().execute("UPDATE daemon_heartbeat SET beat_at = "
          + DatabaseClock.agoText(Heartbeat.ALIVE_WITHIN.plusSeconds(1)) + " WHERE node_id = 'node-1'");
      assertThat(channel.latestHeartbeat().orElseThrow().isAlive(T0)).isFalse();
    } else {
      assertThat(beat).isEqualTo(new Heartbeat(daemon, T0.plusSeconds(2)));
      assertThat(beat.isAlive(T0.plusSeconds(3))).isTrue();
      assertThat(beat.isAlive(T0.plusSeconds(2).plus(Heartbeat.ALIVE_WITHIN).plusMillis(1))).isFalse();
    }

    DaemonInfo other = new DaemonInfo("node-2", 7, "box2", "0.1.0", "/etc/fleetrun.yaml", T0);
    channel.heartbeat(other, T0.plusSeconds(5));
    assertThat(channel.latestHeartbeat()).map(h -> h.daemon().nodeId()).contains("node-2");
    channel.removeHeartbeat("node-2");
    assertThat(channel.latestHeartbeat()).map(h -> h.daemon().nodeId()).contains("node-1");
    channel.removeHeartbeat("node-1");
    assertThat(channel.latestHeartbeat()).isEmpty();
  }

  @Test
  void requestsADeadDaemonTookButNeverAnsweredAreAnsweredAsRefused() {
    long answered = channel.submit(new ControlRequest.Stop(new InvokeId("t-1"), Set.of()), T0);
    long taken = channel.submit(new ControlRequest.Stop(new InvokeId("t-2"), Set.of()), T0);
    channel.claimPending(T0.plusSeconds(1));
    channel.complete(answered, new RequestAnswer.Done(new InvokeId("t-1")), T0.plusSeconds(1));
    long waiting = channel.submit(new ControlRequest.Stop(new InvokeId("t-3"), Set.of()), T0.plusSeconds(2));

    assertThat(channel.refuseUnanswered("the daemon stopped", T0.plusSeconds(3))).isEqualTo(1);

    assertThat(channel.findRequest(taken)).map(RequestState::answer)
        .contains(Optional.of(new RequestAnswer.Refused("the daemon stopped")));
    assertThat(channel.findRequest(answered)).map(RequestState::answer)
        .contains(Optional.of(new RequestAnswer.Done(new InvokeId("t-1"))));
    assertThat(channel.findRequest(waiting)).map(RequestState::answer).contains(Optional.empty());
  }

  @Test
  void aWithdrawnRequestIsNeverTaken() {
    long id = channel.submit(new ControlRequest.Stop(new InvokeId("t-1"), Set.of()), T0);

    assertThat(channel.withdraw(id, T0.plusSeconds(1))).isEqualTo(new Withdrawal.Withdrawn());

    assertThat(channel.claimPending(T0.plusSeconds(2))).isEmpty();
    assertThat(channel.withdraw(id, T0.plusSeconds(3))).as("again").isEqualTo(new Withdrawal.Withdrawn());
    assertThat(channel.refuseUnanswered("the daemon stopped", T0.plusSeconds(4))).isZero();
    assertThat(channel.findRequest(id)).map(RequestState::answer)
        .contains(Optional.of(new RequestAnswer.Refused(JooqControlChannel.WITHDRAWN)));
  }

  @Test
  void aTakenRequestCannotBeWithdrawnAndTheWithdrawalSaysWhenItWasTaken() {
    long id = channel.submit(new ControlRequest.Stop(new InvokeId("t-1"), Set.of()), T0);
    assertThat(channel.claimPending(T0.plusSeconds(1))).extracting(PendingRequest::id).containsExactly(id);

    assertThat(channel.withdraw(id, T0.plusSeconds(2))).isEqualTo(new Withdrawal.Taken(T0.plusSeconds(1)));

    channel.complete(id, new RequestAnswer.Done(new InvokeId("t-1")), T0.plusSeconds(3));
    assertThat(channel.withdraw(id, T0.plusSeconds(4)))
        .isEqualTo(new Withdrawal.Answered(new RequestAnswer.Done(new InvokeId("t-1"))));
    assertThat(channel.findRequest(id)).map(RequestState::answer)
        .contains(Optional.of(new RequestAnswer.Done(new InvokeId("t-1"))));
    assertThatThrownBy(() -> channel.withdraw(99, T0)).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void withdrawAndTakeRacingHaveExactlyOneWinner() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int i = 0; i < 40; i++) {
        long id = channel.submit(new ControlRequest.Stop(new InvokeId("t-" + i), Set.of()), T0);
        CountDownLatch go = new CountDownLatch(1);
        Future<Withdrawal> withdrawal = pool.submit(() -> {
          go.await();
          return channel.withdraw(id, T0.plusSeconds(1));
        });
        Future<List<PendingRequest>> taken = pool.submit(() -> {
          go.await();
          return channel.claimPending(T0.plusSeconds(1));
        });
        go.countDown();
        boolean withdrawn = withdrawal.get(20, TimeUnit.SECONDS) instanceof Withdrawal.Withdrawn;
        boolean claimed = taken.get(20, TimeUnit.SECONDS).stream().anyMatch(p -> p.id() == id);
        assertThat(withdrawn).as("round %d: withdrawn=%s claimed=%s", i, withdrawn, claimed).isNotEqualTo(claimed);
        if (claimed) {
          channel.complete(id, new RequestAnswer.Refused("done"), T0.plusSeconds(2));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static final ControlRequest.Run DISK = new ControlRequest.Run(new CommandId("disk"),
      List.of(new InstanceId("web1")), Set.of(), Map.of("mount", "/"));

  @Test
  void aClientTokenQueuesOneRequestAndARetryFindsItUnlessItDiffers() {
    io.fleetrun.model.ClientToken token = new io.fleetrun.model.ClientToken("deploy-42");

    SubmitOnce first = channel.submitOnce(DISK, token, "ci", T0);
    SubmitOnce retry = channel.submitOnce(DISK, token, "ci", T0.plusSeconds(1));
    SubmitOnce otherBody = channel.submitOnce(new ControlRequest.Run(new CommandId("disk"),
        List.of(new InstanceId("web1")), Set.of(), Map.of("mount", "/var")), token, "ci", T0.plusSeconds(2));
    SubmitOnce otherCaller = channel.submitOnce(DISK, token, "grafana", T0.plusSeconds(3));
    SubmitOnce otherKind = channel.submitOnce(new ControlRequest.Stop(new InvokeId("t-1"), Set.of()), token, "ci",
        T0.plusSeconds(4));
    long plain = channel.submit(DISK, T0.plusSeconds(5));

    assertThat(first).isInstanceOf(SubmitOnce.First.class);
    assertThat(retry).isEqualTo(new SubmitOnce.Retry(first.id()));
    assertThat(otherBody).isEqualTo(new SubmitOnce.Mismatch(first.id()));
    assertThat(otherCaller).isEqualTo(new SubmitOnce.Mismatch(first.id()));
    assertThat(otherKind).isEqualTo(new SubmitOnce.Mismatch(first.id()));
    assertThat(plain).isNotEqualTo(first.id());
    assertThat(channel.claimPending(T0.plusSeconds(6))).extracting(PendingRequest::id)
        .containsExactly(first.id(), plain);
    assertThat(db.dsl().fetchValue("SELECT client_caller FROM control_request WHERE client_token = 'deploy-42'"))
        .isEqualTo("ci");
  }

  @Test
  void aWithdrawnRequestGivesItsClientTokenUp() {
    io.fleetrun.model.ClientToken token = new io.fleetrun.model.ClientToken("again");
    SubmitOnce first = channel.submitOnce(DISK, token, "ci", T0);

    assertThat(channel.withdraw(first.id(), T0.plusSeconds(1))).isEqualTo(new Withdrawal.Withdrawn());
    SubmitOnce next = channel.submitOnce(DISK, token, "ci", T0.plusSeconds(2));

    assertThat(next).isInstanceOf(SubmitOnce.First.class);
    assertThat(next.id()).isNotEqualTo(first.id());
    assertThat(channel.claimPending(T0.plusSeconds(3))).extracting(PendingRequest::id).containsExactly(next.id());
  }

  /** The unique index decides a race: every sender but one finds the winner's row. */
  @Test
  void sendersRacingWithOneClientTokenQueueOneRequest() throws Exception {
    io.fleetrun.model.ClientToken token = new io.fleetrun.model.ClientToken("race");
    int senders = 4;
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<SubmitOnce>> sent = new java.util.ArrayList<>();
      for (int i = 0; i < senders; i++) {
        // Half on the control pool, half on the main one: two connections race, as two nodes would.
        JooqControlChannel sender = i % 2 == 0 ? JooqControlChannel.onControlConnection(db) : channel;
        sent.add(pool.submit(() -> {
          go.await();
          return sender.submitOnce(DISK, token, "ci", T0);
        }));
      }
      go.countDown();
      List<SubmitOnce> results = new java.util.ArrayList<>();
      for (Future<SubmitOnce> f : sent) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      assertThat(results).filteredOn(r -> r instanceof SubmitOnce.First).hasSize(1);
      assertThat(results).filteredOn(r -> r instanceof SubmitOnce.Retry).hasSize(senders - 1);
      assertThat(results).extracting(SubmitOnce::id).containsOnly(results.get(0).id());
      assertThat(db.dsl().fetchValue("SELECT count(*) FROM control_request").toString()).isEqualTo("1");
    } finally {
      pool.shutdownNow();
    }
  }
}
