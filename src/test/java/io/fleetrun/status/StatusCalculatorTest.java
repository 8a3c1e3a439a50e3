package io.fleetrun.status;

import static io.fleetrun.model.RecordStatus.Failed;
import static io.fleetrun.model.RecordStatus.Finished;
import static io.fleetrun.model.RecordStatus.Running;
import static io.fleetrun.model.RecordStatus.Stopped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StatusCalculatorTest {
  private final StatusCalculator calculator = new StatusCalculator();

  /** Every list of 1 to 4 instance statuses: 4 + 16 + 64 + 256 combinations. */
  static Stream<List<RecordStatus>> everyCombinationUpToFourInstances() {
    List<List<RecordStatus>> all = new ArrayList<>();
    List<List<RecordStatus>> previous = List.of(List.of());
    for (int size = 1; size <= 4; size++) {
      List<List<RecordStatus>> next = new ArrayList<>();
      for (List<RecordStatus> prefix : previous) {
        for (RecordStatus s : RecordStatus.values()) {
          List<RecordStatus> combination = new ArrayList<>(prefix);
          combination.add(s);
          next.add(List.copyOf(combination));
        }
      }
      all.addAll(next);
      previous = next;
    }
    return all.stream();
  }

  /**
   * The seed's one-time rules, written as the seed states them (each bullet on its own), to check
   * the calculator against over every combination.
   */
  private static InvocationStatus seedOneTime(List<RecordStatus> s) {
    boolean anyRunning = s.contains(Running);
    boolean allFailed = s.stream().allMatch(x -> x == Failed);
    boolean someFailed = s.contains(Failed);
    boolean allStopped = s.stream().allMatch(x -> x == Stopped);
    boolean allFinished = s.stream().allMatch(x -> x == Finished);
    boolean finishedAndStopped =
        s.contains(Finished) && s.stream().allMatch(x -> x == Finished || x == Stopped);
    if (anyRunning) {
      return InvocationStatus.Running;
    }
    if (allFailed) {
      return InvocationStatus.Failed;
    }
    if (someFailed) {
      return InvocationStatus.PartialFailed;
    }
    if (allStopped) {
      return InvocationStatus.Stopped;
    }
    if (allFinished || finishedAndStopped) {
      return InvocationStatus.Finished;
    }
    throw new AssertionError("the seed has no rule for " + s);
  }

  @ParameterizedTest
  @MethodSource("everyCombinationUpToFourInstances")
  void oneTimeOverallFollowsTheSeedForEveryCombination(List<RecordStatus> instances) {
    assertThat(calculator.overall(RepeatMode.Once, instances)).isEqualTo(seedOneTime(instances));
  }

  @ParameterizedTest
  @MethodSource("everyCombinationUpToFourInstances")
  void periodicInvocationStaysRunningUntilEveryInstanceIsStopped(List<RecordStatus> instances) {
    InvocationStatus expected =
        instances.stream().allMatch(s -> s == Stopped)
            ? InvocationStatus.Stopped
            : InvocationStatus.Running;
    assertThat(calculator.overall(RepeatMode.Period, instances)).isEqualTo(expected);
  }

  static Stream<Arguments> seedExamples() {
    return Stream.of(
        Arguments.of(List.of(Finished, Finished, Finished), InvocationStatus.Finished),
        Arguments.of(List.of(Finished, Stopped, Finished), InvocationStatus.Finished),
        Arguments.of(List.of(Failed, Failed, Failed), InvocationStatus.Failed),
        Arguments.of(List.of(Stopped, Stopped, Stopped), InvocationStatus.Stopped),
        Arguments.of(List.of(Running, Finished, Failed), InvocationStatus.Running),
        Arguments.of(List.of(Failed, Finished, Finished), InvocationStatus.PartialFailed),
        Arguments.of(List.of(Failed, Stopped, Stopped), InvocationStatus.PartialFailed));
  }

  @ParameterizedTest
  @MethodSource("seedExamples")
  void oneTimeExamplesOfTheSeedWithThreeInstances(
      List<RecordStatus> instances, InvocationStatus overall) {
    assertThat(calculator.overall(RepeatMode.Once, instances)).isEqualTo(overall);
  }

  @ParameterizedTest
  @MethodSource("everyRecordStatusOrNone")
  void oneTimeInstanceHasTheStatusOfItsRecordAndIsRunningWhileQueued(
      Optional<RecordStatus> record) {
    for (boolean stopped : new boolean[] {false, true}) {
      assertThat(calculator.instanceStatus(RepeatMode.Once, record, stopped))
          .isEqualTo(record.orElse(Running));
    }
  }

  @ParameterizedTest
  @MethodSource("everyRecordStatusOrNone")
  void periodicInstanceIsRunningUntilStoppedWhateverItsRecordsSay(Optional<RecordStatus> record) {
    assertThat(calculator.instanceStatus(RepeatMode.Period, record, false)).isEqualTo(Running);
    assertThat(calculator.instanceStatus(RepeatMode.Period, record, true)).isEqualTo(Stopped);
  }

  static Stream<Optional<RecordStatus>> everyRecordStatusOrNone() {
    return Stream.concat(Stream.of(Optional.empty()), Stream.of(RecordStatus.values()).map(Optional::of));
  }

  @Test
  void anInvocationWithoutInstancesIsRefused() {
    assertThatThrownBy(() -> calculator.overall(RepeatMode.Once, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
