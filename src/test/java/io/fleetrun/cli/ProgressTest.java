package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.model.InvokeId;
import io.fleetrun.store.RecordCounts;
import io.fleetrun.testing.MovingClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How {@code run --wait}'s progress is drawn, on a clock the test moves. */
class ProgressTest {
  private static final InvokeId ID = new InvokeId("p-1");
  private final StringWriter err = new StringWriter();
  private final MovingClock clock = new MovingClock(Instant.parse("2026-12-02T03:00:00Z"));

  @Test
  void onATerminalOneLineIsRedrawnAtMostFourTimesASecondAndErasedAtTheEnd() {
    Progress progress = new Progress(Progress.Style.TERMINAL, new PrintWriter(err), clock, Duration.ofSeconds(5), ID);

    progress.show(new RecordCounts(3, 0, 0, 0, 0));
    clock.move(Duration.ofMillis(100));
    progress.show(new RecordCounts(2, 1, 0, 0, 0));
    clock.move(Duration.ofMillis(150));
    progress.show(new RecordCounts(0, 1, 1, 1, 0));
    clock.move(Duration.ofMillis(300));
    progress.show(new RecordCounts(0, 1, 1, 1, 0));
    clock.move(Duration.ofMillis(600));
    progress.show(new RecordCounts(0, 1, 1, 1, 0));
    progress.end();

    assertThat(err.toString()).as("unchanged text is not drawn again").isEqualTo(
        "\r\u001b[2Kp-1: 0/3 finished, 0 failed, 0 stopped, 0 running, 3 pending, 0s elapsed"
            + "\r\u001b[2Kp-1: 1/3 finished, 1 failed, 0 stopped, 1 running, 0 pending, 0s elapsed"
            + "\r\u001b[2Kp-1: 1/3 finished, 1 failed, 0 stopped, 1 running, 0 pending, 1s elapsed"
            + "\r\u001b[2K");
  }

  @Test
  void elsewhereAPlainLineComesEveryInterval() {
    Progress progress = new Progress(Progress.Style.PLAIN, new PrintWriter(err), clock, Duration.ofSeconds(5), ID);

    progress.show(new RecordCounts(2, 0, 0, 0, 0));
    clock.move(Duration.ofSeconds(4));
    progress.show(new RecordCounts(1, 1, 0, 0, 0));
    clock.move(Duration.ofSeconds(1));
    progress.show(new RecordCounts(0, 1, 1, 0, 0));
    clock.move(Duration.ofSeconds(120));
    progress.show(new RecordCounts(0, 0, 1, 0, 1));
    progress.end();

    assertThat(err.toString().replace(System.lineSeparator(), "\n")).isEqualTo(
        "p-1: 0/2 finished, 0 failed, 0 stopped, 0 running, 2 pending, 0s elapsed\n"
            + "p-1: 1/2 finished, 0 failed, 0 stopped, 1 running, 0 pending, 5s elapsed\n"
            + "p-1: 1/2 finished, 0 failed, 1 stopped, 0 running, 0 pending, 2m05s elapsed\n");
  }

  @Test
  void noneShowsNothing() {
    Progress progress = new Progress(Progress.Style.NONE, new PrintWriter(err), clock, Duration.ofSeconds(5), ID);
    progress.show(new RecordCounts(2, 0, 0, 0, 0));
    progress.end();
    assertThat(err.toString()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "auto,   false, true,  xterm, TERMINAL",
    "auto,   false, true,  dumb,  PLAIN",
    "auto,   false, true,  ,      PLAIN",
    "auto,   false, false, xterm, PLAIN",
    "always, false, false, dumb,  TERMINAL",
    "never,  false, true,  xterm, NONE",
    "auto,   true,  true,  xterm, NONE",
    "always, true,  true,  xterm, NONE",
  })
  void theStyleFollowsTheOptionTheConsoleAndTerm(String option, boolean json, boolean console, String term,
      Progress.Style expected) {
    assertThat(RunCommand.style(option, json, console, term)).isEqualTo(expected);
  }

  @Test
  void anUnknownProgressValueIsAUsageErrorNamingTheOption() {
    assertThatThrownBy(() -> RunCommand.style("sometimes", false, true, "xterm"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--progress must be auto, always or never, not 'sometimes'");
  }

  @ParameterizedTest
  @CsvSource({"0, 0s", "59, 59s", "60, 1m00s", "125, 2m05s", "3605, 1h00m05s"})
  void elapsedTimeIsInWholeSeconds(long seconds, String text) {
    assertThat(ProgressText.elapsed(Duration.ofSeconds(seconds))).isEqualTo(text);
  }

  /** A clock that moves only when told. */
}
