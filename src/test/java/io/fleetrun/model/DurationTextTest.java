package io.fleetrun.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {

  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "30s, PT30S",
    "5m, PT5M",
    "2h, PT2H",
    "1d, PT24H",
    "0s, PT0S",
    "' 90s ', PT1M30S",
    "999999999ms, PT277H46M39.999S"
  })
  void parsesEveryUnit(String text, String iso) {
    assertThat(DurationText.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"30", "s", "5 m", "1.5h", "-5s", "5M", "2w", "10sec", "1234567890s"})
  void refusesAnythingElseNamingTheAcceptedForms(String text) {
    assertThatThrownBy(() -> DurationText.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a duration")
        .hasMessageContaining("500ms, 30s, 5m, 2h, 1d");
  }

  @ParameterizedTest
  @CsvSource({
    "PT0.5S, 500ms",
    "PT1.5S, 1500ms",
    "PT90S, 90s",
    "PT120S, 2m",
    "PT1H30M, 90m",
    "PT2H, 2h",
    "PT48H, 2d",
    "PT0S, 0s"
  })
  void formatsTheShortestExactForm(String iso, String text) {
    assertThat(DurationText.format(Duration.parse(iso))).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1ms", "59s", "61m", "25h", "3d", "1001ms"})
  void formatThenParseGivesTheSameDuration(String text) {
    Duration d = DurationText.parse(text);
    assertThat(DurationText.parse(DurationText.format(d))).isEqualTo(d);
  }
}
