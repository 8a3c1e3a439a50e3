package io.fleetrun.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrequencyTest {

  @Test
  void parsesRates() {
    assertThat(Frequency.parse("rate(30s)")).isEqualTo(new Frequency.Rate(Duration.ofSeconds(30)));
    assertThat(Frequency.parse(" rate(5m) ")).isEqualTo(new Frequency.Rate(Duration.ofMinutes(5)));
    assertThat(Frequency.parse("rate(2h)")).isEqualTo(new Frequency.Rate(Duration.ofHours(2)));
  }

  @Test
  void parsesAtTimes() {
    assertThat(Frequency.parse("at(2026-12-01T02:00:00Z)"))
        .isEqualTo(new Frequency.At(Instant.parse("2026-12-01T02:00:00Z")));
  }

  @Test
  void takesAnythingElseAsCronLeavingItsSyntaxToTheCaller() {
    assertThat(Frequency.parse("0 0 2 * * ?")).isEqualTo(new Frequency.Cron("0 0 2 * * ?"));
    assertThat(Frequency.parse("not cron at all")).isInstanceOf(Frequency.Cron.class);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "rate(30s)                | rate(30s)",
        "rate(60s)                | rate(1m)",
        "rate(120m)               | rate(2h)",
        "at(2026-12-01T02:00:00Z) | at(2026-12-01T02:00:00Z)",
        "0 0 2 * * ?              | 0 0 2 * * ?"
      })
  void textIsCanonicalAndParsesBack(String written, String canonical) {
    Frequency f = Frequency.parse(written);
    assertThat(f.text()).isEqualTo(canonical);
    assertThat(Frequency.parse(f.text())).isEqualTo(f);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rate(5)", "rate()", "rate(5 m)", "rate(-1s)"})
  void refusesMalformedRates(String text) {
    assertThatThrownBy(() -> Frequency.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a duration");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rate(0s)", "rate(999ms)"})
  void refusesRatesUnderOneSecond(String text) {
    assertThatThrownBy(() -> Frequency.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rate must be at least 1s");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"at(tomorrow)", "at(2026-12-01 02:00)", "at(2026-12-01T02:00:00)", "at()"})
  void refusesAtTimesThatAreNotUtcInstants(String text) {
    assertThatThrownBy(() -> Frequency.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a UTC time");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void refusesEmptyText(String text) {
    assertThatThrownBy(() -> Frequency.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("frequency is empty");
  }
}
