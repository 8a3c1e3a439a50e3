package io.fleetrun.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.Output;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecordEndsTest {
  private static final Instant NOW = Instant.parse("2026-11-28T08:00:00Z");
  private static final Output OUT = new Output("some output", 0);

  static Stream<Arguments> outcomes() {
    return Stream.of(
        Arguments.of(new ExecutionOutcome.Exited(0, OUT), null, RecordStatus.Finished, DetailStatus.Success, null),
        Arguments.of(new ExecutionOutcome.Exited(3, OUT), null, RecordStatus.Finished, DetailStatus.Failed, ErrorCode.ExitCodeNonzero),
        Arguments.of(new ExecutionOutcome.Signaled("KILL", OUT), null, RecordStatus.Finished, DetailStatus.Terminated, ErrorCode.ExitSignal),
        Arguments.of(new ExecutionOutcome.TimedOut(OUT), null, RecordStatus.Failed, DetailStatus.Timeout, ErrorCode.ExecutionTimeout),
        Arguments.of(new ExecutionOutcome.Stopped(OUT), StopReason.USER, RecordStatus.Stopped, DetailStatus.Cancelled, null),
        Arguments.of(new ExecutionOutcome.Stopped(OUT), StopReason.SHUTDOWN, RecordStatus.Failed, DetailStatus.Terminated, ErrorCode.ExecutionInterrupted),
        Arguments.of(new ExecutionOutcome.CouldNotRun(ErrorCode.AuthFailed, "rejected", OUT), null, RecordStatus.Failed, DetailStatus.Error, ErrorCode.AuthFailed),
        Arguments.of(new ExecutionOutcome.CouldNotRun(ErrorCode.ConnectionLost, "broke", OUT), null, RecordStatus.Failed, DetailStatus.Error, ErrorCode.ConnectionLost),
        // a run that ended by itself before the stop reached it keeps its real end
        Arguments.of(new ExecutionOutcome.Exited(0, OUT), StopReason.USER, RecordStatus.Finished, DetailStatus.Success, null));
  }

  @ParameterizedTest
  @MethodSource("outcomes")
  void everyOutcomeMapsToTheSeedStatusAndADetail(
      ExecutionOutcome outcome, StopReason reason, RecordStatus status, DetailStatus detail, ErrorCode code) {
    RecordEnd end = RecordEnds.of(outcome, Optional.ofNullable(reason), Duration.ofSeconds(5), NOW);
    assertThat(end.status()).isEqualTo(status);
    assertThat(end.detail()).isEqualTo(detail);
    assertThat(end.errorCode()).isEqualTo(Optional.ofNullable(code));
    assertThat(end.errorInfo().isPresent()).isEqualTo(code != null);
    assertThat(end.output()).isEqualTo(OUT);
    assertThat(end.endTime()).isEqualTo(NOW);
  }

  @ParameterizedTest
  @MethodSource("outcomes")
  void exitCodeIsKeptOnlyWhenTheProcessExited(
      ExecutionOutcome outcome, StopReason reason, RecordStatus status, DetailStatus detail, ErrorCode code) {
    RecordEnd end = RecordEnds.of(outcome, Optional.ofNullable(reason), Duration.ofSeconds(5), NOW);
    if (outcome instanceof ExecutionOutcome.Exited exited) {
      assertThat(end.exitCode()).contains(exited.exitCode());
    } else {
      assertThat(end.exitCode()).isEmpty();
    }
  }
}
