package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.InvokeId;
import io.fleetrun.store.DaemonInfo;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.PendingRequest;
import io.fleetrun.store.RequestAnswer;
import io.fleetrun.testing.SqlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code fleetrun run} says when the daemon takes its request but answers late, or not
 * within the CLI's waits. The test plays the daemon: a heartbeat row, and a thread that claims
 * the request through the real control channel on the real database.
 */
class LateAnswerTest {
  @TempDir Path dir;
  private Path configFile;
  private Path dbFile;
  private Database db;
  private JooqControlChannel channel;

  @BeforeEach
  void setUp() throws IOException {
    dbFile = dir.resolve("fleetrun.db");
    configFile = dir.resolve("fleetrun.yaml");
    Files.writeString(configFile, "database: { url: \"jdbc:sqlite:%s\" }\n".formatted(dbFile));
    db = Database.open("jdbc:sqlite:" + dbFile);
    channel = new JooqControlChannel(db);
    channel.heartbeat(new DaemonInfo("slow", 1, "localhost", "test", configFile.toString(), Instant.now()),
        Instant.now());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void aTakenRequestThatIsNotAnsweredIsReportedAsTakenAndGoingOnNotAsAFailure() throws Exception {
    CompletableFuture<PendingRequest> daemon = CompletableFuture.supplyAsync(this::claimOne);

    CliRun cli = cli("run", "--command", "hi", "--instances", "web-1", "--answer-timeout", "500ms");

    PendingRequest taken = daemon.get(10, TimeUnit.SECONDS);
    assertThat(cli.exit()).isEqualTo(ExitCodes.TIMEOUT);
    assertThat(cli.out()).isEmpty();
    assertThat(cli.err())
        .contains("the daemon did not answer within 500ms (nor in 500ms more)")
        .contains("the daemon took the request (" + taken.id() + ") at ")
        .contains("is still starting it; it was not withdrawn and will run")
        .contains("Its invoke id will show in bin/fleetrun invocations")
        .doesNotContainIgnoringCase("fail")
        .hasLineCount(1);
    assertThat(SqlReader.firstColumn(dbFile, "SELECT (claimed_at IS NOT NULL) || (withdrawn_at IS NULL) FROM control_request"))
        .as("taken, not withdrawn").containsExactly("11");
  }

  @Test
  void aRequestAnsweredAfterTheAnswerWaitGivesItsInvokeIdAndSaysItCameLate() throws Exception {
    CompletableFuture<PendingRequest> daemon = CompletableFuture.supplyAsync(() -> {
      PendingRequest taken = claimOne();
      // Answer 1 s after the CLI's 2 s answer wait ended (it started after created_at) and
      // well within the 2 s more it waits for a taken request.
      answerAt(taken.id(), createdAt(taken.id()).plusSeconds(3));
      return taken;
    });

    CliRun cli = cli("run", "--command", "hi", "--instances", "web-1", "--answer-timeout", "2s",
        "--max-concurrency", "25%", "--max-errors", "3");

    daemon.get(10, TimeUnit.SECONDS);
    assertThat(cli.exit()).isEqualTo(ExitCodes.OK);
    assertThat(cli.out()).isEqualTo("late-1\n");
    assertThat(cli.err()).contains("the daemon took the request at ").contains("and answered late");
    assertThat(SqlReader.firstColumn(dbFile, "SELECT json_extract(payload, '$.maxConcurrency') || ' '"
        + " || json_extract(payload, '$.maxErrors') FROM control_request"))
        .as("the controls travel in the payload").containsExactly("25% 3");
  }

  private PendingRequest claimOne() {
    Instant deadline = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(deadline)) {
      List<PendingRequest> claimed = channel.claimPending(Instant.now());
      if (!claimed.isEmpty()) {
        return claimed.get(0);
      }
      sleep(Duration.ofMillis(20));
    }
    throw new AssertionError("the CLI sent no request within 10 s");
  }

  private void answerAt(long id, Instant at) {
    Duration left = Duration.between(Instant.now(), at);
    if (!left.isNegative()) {
      sleep(left);
    }
    channel.complete(id, new RequestAnswer.Done(new InvokeId("late-1")), Instant.now());
  }

  private Instant createdAt(long id) {
    try {
      return Instant.parse(SqlReader.firstColumn(dbFile,
          "SELECT created_at FROM control_request WHERE request_id = " + id).get(0));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private CliRun cli(String... args) {
    return CliRun.withConfig(configFile, args);
  }
}
