package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BeatStreakTest {
  private static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");
  private static final Duration WINDOW = Duration.ofSeconds(15);

  private static void beatEverySecond(BeatStreak streak, Instant from, int seconds) {
    for (int s = 0; s <= seconds; s++) {
      streak.beat(from.plusSeconds(s));
    }
  }

  @Test
  void aNodeJudgesOthersOnlyAfterBeatingSteadilyForTheWindowItself() {
    BeatStreak streak = new BeatStreak();
    assertThat(streak.steadyFor(T0, WINDOW)).isFalse();
    beatEverySecond(streak, T0, 14);
    assertThat(streak.steadyFor(T0.plusSeconds(14), WINDOW)).isFalse();
    streak.beat(T0.plusSeconds(15));
    assertThat(streak.steadyFor(T0.plusSeconds(15), WINDOW)).isTrue();
  }

  /** The database was out of reach for 20 s: every node's beat is as old as the others'. */
  @Test
  void afterADatabaseOutageTheStreakStartsAgain() {
    BeatStreak streak = new BeatStreak();
    beatEverySecond(streak, T0, 30);
    streak.broken(); // beats fail while the server restarts
    assertThat(streak.steadyFor(T0.plusSeconds(50), WINDOW)).isFalse();
    streak.beat(T0.plusSeconds(51));
    assertThat(streak.steadyFor(T0.plusSeconds(51), WINDOW)).isFalse();
    beatEverySecond(streak, T0.plusSeconds(51), 15);
    assertThat(streak.steadyFor(T0.plusSeconds(66), WINDOW)).isTrue();
  }

  /** This node was stalled (no beat failed: none was tried) and wakes with an old streak. */
  @Test
  void aGapWithoutAFailedBeatBreaksTheStreakToo() {
    BeatStreak streak = new BeatStreak();
    beatEverySecond(streak, T0, 30);
    assertThat(streak.steadyFor(T0.plusSeconds(50), WINDOW)).as("no beat for 20 s").isFalse();
    streak.beat(T0.plusSeconds(50));
    assertThat(streak.steadyFor(T0.plusSeconds(50), WINDOW)).isFalse();
  }
}
