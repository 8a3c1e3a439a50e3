package io.fleetrun.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.testing.LogLines;
import io.fleetrun.testing.MovingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Anyone who reaches the port can be denied as often as they like: the denial lines are capped a
 * minute, and what was held back is said, not lost silently.
 */
class DenialLogTest {
  @Test
  void atMostAHundredLinesAMinuteAndTheRestIsCountedInOneLineLater() {
    MovingClock clock = new MovingClock(Instant.parse("2026-12-02T10:00:00Z"));
    DenialLog denials = new DenialLog(clock);
    try (LogLines log = LogLines.of(Guard.class.getName())) {
      long admitted = IntStream.range(0, 250).filter(i -> denials.admit()).count();
      assertThat(admitted).isEqualTo(DenialLog.PER_MINUTE);
      assertThat(log.containing("not logged")).isEmpty();

      clock.move(Duration.ofSeconds(59));
      assertThat(denials.admit()).as("still the same minute").isFalse();
      clock.move(Duration.ofSeconds(1));
      assertThat(denials.admit()).isTrue();
      assertThat(log.containing("151 more denial(s) were not logged since 2026-12-02T10:00:00Z")).hasSize(1);
      assertThat(IntStream.range(0, 50).filter(i -> denials.admit()).count()).isEqualTo(50);
    }
  }
}
