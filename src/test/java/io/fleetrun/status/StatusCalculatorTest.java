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

/**
 * The calculator against the seed's sentences (SeedSentences), checked over every combination of
 * up to five instances, and against the seed's three-instance examples.
 */
class StatusCalculatorTest {
  private static final int MAX_INSTANCES = 5;

  private final StatusCalculator calculator = new StatusCalculator();

  @Test
  void oneTimeOverallIsTheStatusOfTheOneSeedSentenceThatDecidesEveryCombination() {
    List<String> wrong = new ArrayList<>();
    List<List<RecordStatus>> all = sequences(List.of(RecordStatus.values()), MAX_INSTANCES);
    for (List<RecordStatus> instances : all) {
      InvocationStatus seed = SeedSentences.oneTimeOverall(instances);
      InvocationStatus actual = calculator.overall(RepeatMode.Once, instances);
      if (actual != seed) {
        wrong.add(instances + " -> " + actual + ", the seed says " + seed);
      }
    }
    assertThat(all).hasSize(4 + 16 + 64 + 256 + 1024);
    assertThat(wrong).as("combinations the calculator gets wrong").isEmpty();
  }

  @Test
  void everySentenceAndEveryDeclaredOverlapOfTheSeedIsExercised() {
    // Keeps the oracle honest: a sentence that never applies, or an overlap rule that never
    // decides anything, would be a predicate written wrong.
    assertThat(SeedSentences.sentencesAndOverlapsSeen(
            sequences(List.of(RecordStatus.values()), MAX_INSTANCES)))
        .isEqualTo(SeedSentences.allSentencesAndOverlaps());
  }

  @Test
  void everyOverlapIsDecidedAsDesignsNumberedListOrdersTheRules() {
    assertThat(SeedSentences.OVERLAPS)
        .allSatisfy(o -> assertThat(SeedSentences.designRank(o.winner()))
            .as("%s (%s)", o, o.why())
            .isLessThan(SeedSentences.designRank(o.loser())));
  }

  @Test
  void periodicStatusesFollowTheSeedForEveryStopAndRecordCombination() {
    // An instance of a periodic invocation: stopped or not, and the status of its latest record
    // (none yet, or any of the four): each record keeps its own status whatever the instance.
    List<Optional<RecordStatus>> records = everyRecordStatusOrNone().toList();
    List<PeriodicInstance> kinds = new ArrayList<>();
    for (boolean stopped : new boolean[] {false, true}) {
      records.forEach(r -> kinds.add(new PeriodicInstance(r, stopped)));
    }
    List<String> wrong = new ArrayList<>();
    List<List<PeriodicInstance>> all = sequences(kinds, 4);
    for (List<PeriodicInstance> instances : all) {
      List<RecordStatus> statuses = new ArrayList<>();
      for (PeriodicInstance i : instances) {
        RecordStatus status = calculator.instanceStatus(RepeatMode.Period, i.latest(), i.stopped());
        if (status != SeedSentences.periodicInstance(i.stopped())) {
          wrong.add(i + " has instance status " + status);
        }
        statuses.add(status);
      }
      boolean[] stops = new boolean[instances.size()];
      for (int n = 0; n < stops.length; n++) {
        stops[n] = instances.get(n).stopped();
      }
      InvocationStatus seed = SeedSentences.periodicOverall(stops);
      InvocationStatus actual = calculator.overall(RepeatMode.Period, statuses);
      if (actual != seed) {
        wrong.add(instances + " -> " + actual + ", the seed says " + seed);
      }
    }
    assertThat(all).hasSize(10 + 100 + 1000 + 10_000);
    assertThat(wrong).as("combinations the calculator gets wrong").isEmpty();
  }

  private record PeriodicInstance(Optional<RecordStatus> latest, boolean stopped) {}

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

  /** Written out by hand, not derived from any rule: a second, independent anchor. */
  @ParameterizedTest
  @MethodSource("seedExamples")
  void oneTimeExamplesOfTheSeedWithThreeInstances(
      List<RecordStatus> instances, InvocationStatus overall) {
    assertThat(calculator.overall(RepeatMode.Once, instances)).isEqualTo(overall);
    assertThat(SeedSentences.oneTimeOverall(instances)).isEqualTo(overall);
  }

  /**
   * "The command is invoked only once in a one-time invocation, so the instance invocation status
   * and the invocation-record status are identical"; before its record exists (queued) the
   * instance is Running (DESIGN.md). A stop shows through the record, not the flag.
   */
  @ParameterizedTest
  @MethodSource("everyRecordStatusOrNone")
  void oneTimeInstanceHasTheStatusOfItsRecordAndIsRunningWhileQueued(
      Optional<RecordStatus> record) {
    for (boolean stopped : new boolean[] {false, true}) {
      assertThat(calculator.instanceStatus(RepeatMode.Once, record, stopped))
          .isEqualTo(record.isPresent() ? record.get() : Running);
    }
  }

  static Stream<Optional<RecordStatus>> everyRecordStatusOrNone() {
    return Stream.concat(
        Stream.of(Optional.empty()), Stream.of(RecordStatus.values()).map(Optional::of));
  }

  @Test
  void anInvocationWithoutInstancesIsRefused() {
    assertThatThrownBy(() -> calculator.overall(RepeatMode.Once, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> calculator.overall(RepeatMode.Period, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Every list of 1 to {@code max} elements drawn from {@code values}, in every order. */
  static <T> List<List<T>> sequences(List<T> values, int max) {
    List<List<T>> all = new ArrayList<>();
    List<List<T>> previous = List.of(List.of());
    for (int size = 1; size <= max; size++) {
      List<List<T>> next = new ArrayList<>();
      for (List<T> prefix : previous) {
        for (T value : values) {
          List<T> longer = new ArrayList<>(prefix);
          longer.add(value);
          next.add(List.copyOf(longer));
        }
      }
      all.addAll(next);
      previous = next;
    }
    return all;
  }
}
