package io.fleetrun.exec;

import static io.fleetrun.exec.SshFixture.await;
import static io.fleetrun.exec.SshFixture.instance;
import static io.fleetrun.exec.SshFixture.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Limits;
import io.fleetrun.model.Output;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scripts that run to their end on an in-process SSH server. */
class MinaSshExecutorRunTest {
  @TempDir static Path dir;
  static EmbeddedSshServer server;
  static MinaSshExecutor executor;

  @BeforeAll
  static void startServer() throws IOException {
    server = SshFixture.startServer(dir.resolve("ssh"));
    executor = SshFixture.executor(server);
  }

  @AfterAll
  static void stopServer() {
    executor.close();
    server.close();
  }

  @Test
  void successfulRunReportsExitZeroOutputAndProcessGroup() throws Exception {
    Execution run = executor.start(request(instance(server), "echo hello; echo world"));

    ExecutionOutcome outcome = await(run);

    assertThat(outcome).isEqualTo(new ExecutionOutcome.Exited(0, new Output("hello\nworld\n", 0)));
    assertThat(run.started()).isCompleted();
    assertThat(run.started().get().id()).isGreaterThan(1L);
    assertThat(run.requested()).isCompleted();
  }

  @Test
  void nonZeroExitCodeIsAnExitNotAFailure() {
    ExecutionOutcome outcome =
        await(executor.start(request(instance(server), "echo oops >&2; exit 3")));

    assertThat(outcome).isEqualTo(new ExecutionOutcome.Exited(3, new Output("oops\n", 0)));
  }

  @Test
  void stdoutAndStderrAreKeptInArrivalOrder() {
    String script =
        "echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three; sleep 0.1; echo four >&2";

    ExecutionOutcome outcome = await(executor.start(request(instance(server), script)));

    assertThat(outcome.output().text()).isEqualTo("one\ntwo\nthree\nfour\n");
  }

  @Test
  void scriptStartsInTheWorkingDirEvenWithQuotesInItsName() throws IOException {
    Path work = Files.createDirectories(dir.resolve("it's a dir; rm -rf x #"));
    ExecutionRequest request = new ExecutionRequest("t-test/web-1", instance(server), "pwd",
        Optional.of(work.toString()), Duration.ofSeconds(10));

    ExecutionOutcome outcome = await(executor.start(request));

    assertThat(outcome).isEqualTo(new ExecutionOutcome.Exited(0, new Output(work + "\n", 0)));
  }

  @Test
  void missingWorkingDirEndsWithExitCode126() {
    ExecutionRequest request = new ExecutionRequest("t-test/web-1", instance(server), "pwd",
        Optional.of(dir.resolve("no-such-dir").toString()), Duration.ofSeconds(10));

    ExecutionOutcome outcome = await(executor.start(request));

    assertThat(outcome).isInstanceOf(ExecutionOutcome.Exited.class);
    assertThat(((ExecutionOutcome.Exited) outcome).exitCode()).isEqualTo(126);
  }

  @Test
  void hugeOutputKeepsHeadAndTailAndCountsWhatWasDropped() {
    int printed = 3_000_000;
    String script = "printf HEAD; head -c " + printed + " /dev/zero | tr '\\0' x; printf TAIL";
    try (MinaSshExecutor small =
        SshFixture.executor(server.knownHosts(), HostKeyPolicy.STRICT, new Limits(10, 1024))) {

      ExecutionOutcome outcome = await(small.start(request(instance(server), script)));

      long total = printed + 8;
      assertThat(outcome).isInstanceOf(ExecutionOutcome.Exited.class);
      assertThat(outcome.output().dropped()).isEqualTo(total - 1024);
      assertThat(outcome.output().text())
          .isEqualTo("HEAD" + "x".repeat(508) + "\n[fleetrun: " + (total - 1024)
              + " bytes dropped]\n" + "x".repeat(508) + "TAIL");
    }
  }

  @Test
  void tooLargeScriptIsRefusedWithoutConnecting() {
    Execution run = executor.start(request(instance(server), "#" + "x".repeat(100_000)));

    ExecutionOutcome outcome = await(run);

    assertThat(outcome).isInstanceOf(ExecutionOutcome.CouldNotRun.class);
    ExecutionOutcome.CouldNotRun failure = (ExecutionOutcome.CouldNotRun) outcome;
    assertThat(failure.code()).isEqualTo(ErrorCode.InternalError);
    assertThat(failure.info()).contains("100001 bytes").contains("100000");
    assertThat(run.started()).isCancelled();
    assertThat(run.requested()).isCancelled(); // nothing was ever sent
  }

  @Test
  void sessionLimitQueuesRunsAndAllOfThemFinish() {
    // One session per run: then the session limit is a limit on runs at once.
    try (MinaSshExecutor limited = SshFixture.unpooled(server, new Limits(2, 4096))) {
      String script = "date +%s%N; sleep 0.3; date +%s%N";

      List<Execution> runs = IntStream.range(0, 6)
          .mapToObj(i -> limited.start(request(instance(server), script)))
          .toList();

      List<long[]> spans = runs.stream().map(SshFixture::await).map(outcome -> {
        assertThat(outcome).isInstanceOf(ExecutionOutcome.Exited.class);
        return outcome.output().text().lines().mapToLong(Long::parseLong).toArray();
      }).toList();
      assertThat(mostOverlapping(spans)).isEqualTo(2);
      // The permit comes back when the session has closed, just after the outcome.
      await().atMost(Duration.ofSeconds(5)).until(() -> limited.sessionsInUse() == 0);
    }
  }

  /** The largest number of [start, end] spans that cover one instant. */
  private static int mostOverlapping(List<long[]> spans) {
    return spans.stream()
        .mapToInt(s -> (int) spans.stream().filter(o -> o[0] <= s[0] && s[0] < o[1]).count())
        .max()
        .orElse(0);
  }
}
