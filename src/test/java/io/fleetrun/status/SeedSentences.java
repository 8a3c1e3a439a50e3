package io.fleetrun.status;

import static io.fleetrun.model.RecordStatus.Failed;
import static io.fleetrun.model.RecordStatus.Finished;
import static io.fleetrun.model.RecordStatus.Running;
import static io.fleetrun.model.RecordStatus.Stopped;

import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.RecordStatus;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The status sentences of the seed (shared/seed/cloud-assistant-invocation-status.txt), each as
 * its own predicate over the instance statuses, written without looking at {@link
 * StatusCalculator}: a test oracle that does not share the calculator's if-chain.
 *
 * <p>Where two sentences apply to one combination, {@link #OVERLAPS} says which one wins and why;
 * an overlap it does not declare, or a combination no sentence covers, is an error of the oracle
 * and fails the test. So a calculator with a wrong precedence cannot agree with it.
 *
 * <p>"Some" is read the way the seed itself uses it: its Running sentence has to say "all or some"
 * to include "all", so "some" alone means at least one but not all.
 */
final class SeedSentences {
  private SeedSentences() {}

  /** "For one-time invocations / Overall invocation status", one constant per bullet. */
  enum OneTime {
    ALL_FINISHED(
        "When the invocation status of all instances are Finished, the overall invocation status"
            + " is displayed as Finished.",
        InvocationStatus.Finished,
        s -> all(s, Finished)),
    SOME_FINISHED_SOME_STOPPED(
        "When the invocation status of some instances are Finished and those of some others are"
            + " Stopped, the overall invocation status is displayed as. Finished",
        InvocationStatus.Finished,
        s -> some(s, Finished) && some(s, Stopped)),
    ALL_FAILED(
        "When the invocation status of all instances are Failed, the overall invocation status is"
            + " displayed as Failed.",
        InvocationStatus.Failed,
        s -> all(s, Failed)),
    ALL_STOPPED(
        "When the invocation status of all instances are Stopped, the overall invocation status is"
            + " displayed as Stopped.",
        InvocationStatus.Stopped,
        s -> all(s, Stopped)),
    ALL_OR_SOME_RUNNING(
        "When the invocation statuses of all or some instances are Running, the overall invocation"
            + " status is displayed as Running.",
        InvocationStatus.Running,
        s -> all(s, Running) || some(s, Running)),
    SOME_FAILED(
        "When the invocation statuses of some instances are Failed, the overall invocation status"
            + " is displayed as PartialFailed.",
        InvocationStatus.PartialFailed,
        s -> some(s, Failed));

    final String sentence;
    final InvocationStatus status;
    private final Predicate<List<RecordStatus>> applies;

    OneTime(String sentence, InvocationStatus status, Predicate<List<RecordStatus>> applies) {
      this.sentence = sentence;
      this.status = status;
      this.applies = applies;
    }

    boolean appliesTo(List<RecordStatus> instances) {
      return applies.test(instances);
    }
  }

  /** Two sentences that apply to one combination, the one that decides it, and why. */
  record Overlap(OneTime winner, OneTime loser, String why) {
    @Override
    public String toString() {
      return winner + " over " + loser;
    }
  }

  /**
   * Every pair of one-time sentences that can apply together; no other pair can (checked over
   * every combination). The order agrees with DESIGN.md's numbered list: Running first, then all
   * Failed, some Failed, all Stopped, then Finished.
   */
  static final List<Overlap> OVERLAPS = List.of(
      // e.g. [Running, Failed]: PartialFailed is an end status, but an instance still runs and
      // may yet fail or finish; the invocation is not over, so the Running sentence wins.
      new Overlap(OneTime.ALL_OR_SOME_RUNNING, OneTime.SOME_FAILED,
          "PartialFailed would end an invocation that still runs"),
      // e.g. [Running, Finished, Stopped]: same reason, Finished would end it too early.
      new Overlap(OneTime.ALL_OR_SOME_RUNNING, OneTime.SOME_FINISHED_SOME_STOPPED,
          "Finished would end an invocation that still runs"),
      // e.g. [Failed, Finished, Stopped]: the Finished-and-Stopped sentence describes a run that
      // ended without failure; saying Finished here would hide the failed instance, which is
      // exactly what PartialFailed exists to show.
      new Overlap(OneTime.SOME_FAILED, OneTime.SOME_FINISHED_SOME_STOPPED,
          "Finished would hide a failed instance"));

  /** DESIGN.md "Status rules": the position of each sentence in its numbered list. */
  static int designRank(OneTime sentence) {
    return switch (sentence) {
      case ALL_OR_SOME_RUNNING -> 1;
      case ALL_FAILED -> 2;
      case SOME_FAILED -> 3;
      case ALL_STOPPED -> 4;
      case ALL_FINISHED, SOME_FINISHED_SOME_STOPPED -> 5;
    };
  }

  /** The overall status the seed gives a one-time invocation with these instance statuses. */
  static InvocationStatus oneTimeOverall(List<RecordStatus> instances) {
    return deciding(instances).status;
  }

  /**
   * The one sentence that decides {@code instances}: among the sentences that apply, the one no
   * other applying sentence wins over.
   *
   * @throws AssertionError when no sentence applies, or the applying ones leave no single winner
   */
  static OneTime deciding(List<RecordStatus> instances) {
    Set<OneTime> applying = applying(instances);
    if (applying.isEmpty()) {
      throw new AssertionError("no sentence of the seed applies to " + instances);
    }
    for (OneTime a : applying) {
      for (OneTime b : applying) {
        if (a.compareTo(b) < 0 && overlap(a, b) == null) {
          throw new AssertionError("the seed's sentences " + a + " and " + b + " both apply to "
              + instances + " and no overlap rule says which wins");
        }
      }
    }
    List<OneTime> unbeaten = applying.stream()
        .filter(a -> applying.stream().noneMatch(b -> beats(b, a)))
        .toList();
    if (unbeaten.size() != 1) {
      throw new AssertionError("sentences " + applying + " apply to " + instances
          + " and the overlap rules leave " + unbeaten + " undefeated, not exactly one");
    }
    return unbeaten.get(0);
  }

  /**
   * The names of the sentences that applied and of the overlaps that decided something over
   * {@code combinations}, to compare with {@link #allSentencesAndOverlaps()}.
   */
  static Set<String> sentencesAndOverlapsSeen(List<List<RecordStatus>> combinations) {
    Set<String> seen = new TreeSet<>();
    for (List<RecordStatus> instances : combinations) {
      Set<OneTime> applying = applying(instances);
      applying.forEach(s -> seen.add(s.name()));
      for (Overlap o : OVERLAPS) {
        if (applying.contains(o.winner()) && applying.contains(o.loser())) {
          seen.add(o.toString());
        }
      }
    }
    return seen;
  }

  static Set<String> allSentencesAndOverlaps() {
    return Stream.concat(Stream.of(OneTime.values()).map(OneTime::name),
            OVERLAPS.stream().map(Overlap::toString))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * "For periodical invocations / Instance invocation status: The instance invocation status is
   * always Running unless you stop the current invocation."
   */
  static RecordStatus periodicInstance(boolean stopped) {
    return stopped ? Stopped : Running;
  }

  /**
   * "For periodical invocations / Overall invocation status: The overall invocation status is
   * always Running unless you stop all the scheduled invocation for all instances."
   */
  static InvocationStatus periodicOverall(boolean[] stoppedPerInstance) {
    for (boolean stopped : stoppedPerInstance) {
      if (!stopped) {
        return InvocationStatus.Running;
      }
    }
    return InvocationStatus.Stopped;
  }

  private static Set<OneTime> applying(List<RecordStatus> instances) {
    Set<OneTime> applying = EnumSet.noneOf(OneTime.class);
    for (OneTime sentence : OneTime.values()) {
      if (sentence.appliesTo(instances)) {
        applying.add(sentence);
      }
    }
    return applying;
  }

  private static boolean beats(OneTime a, OneTime b) {
    Overlap o = overlap(a, b);
    return o != null && o.winner() == a;
  }

  private static Overlap overlap(OneTime a, OneTime b) {
    return OVERLAPS.stream()
        .filter(o -> (o.winner() == a && o.loser() == b) || (o.winner() == b && o.loser() == a))
        .findFirst()
        .orElse(null);
  }

  private static boolean all(List<RecordStatus> instances, RecordStatus status) {
    return instances.stream().allMatch(s -> s == status);
  }

  /** At least one instance has {@code status}, but not all (see the class comment). */
  private static boolean some(List<RecordStatus> instances, RecordStatus status) {
    return instances.contains(status) && !all(instances, status);
  }
}
