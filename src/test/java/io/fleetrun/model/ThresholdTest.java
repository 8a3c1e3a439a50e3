package io.fleetrun.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ThresholdTest {

  @ParameterizedTest(name = "{0} of {1} targets is {2}")
  @CsvSource({
    "10, 5, 10",     // a number is a number, even beyond the targets
    "0, 5, 0",
    "10%, 5, 1",     // rounded up: 0.5 targets is one
    "10%, 10, 1",
    "25%, 10, 3",
    "100%, 7, 7",
    "0%, 1000, 0",
    "1%, 1000, 10",
    "50%, 0, 0",
  })
  void aPercentageIsOfTheTargetsRoundedUp(String text, int targets, int expected) {
    assertThat(Threshold.parse(text).of(targets)).isEqualTo(expected);
  }

  @Test
  void readsAndWritesTheConfigForm() {
    assertThat(Threshold.parse(" 25% ")).isEqualTo(new Threshold(25, true));
    assertThat(Threshold.parse("25%").text()).isEqualTo("25%");
    assertThat(Threshold.parse("7").text()).isEqualTo("7");
  }

  @ParameterizedTest
  @CsvSource({"-1", "1.5", "ten", "%", "101%", "10 %", "''", "9999999999"})
  void refusesWhatIsNotACountOrAPercentage(String text) {
    assertThatThrownBy(() -> Threshold.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(text.isEmpty() ? "''" : text.strip());
  }

  @Test
  void maxConcurrencyIsNeverZero() {
    assertThatThrownBy(() -> new ConcurrencyControls(Optional.of(Threshold.parse("0%")), Optional.empty()))
        .hasMessageContaining("maxConcurrency must be at least 1");
    assertThat(new ConcurrencyControls(Optional.empty(), Optional.of(Threshold.count(0))).maxErrors())
        .contains(Threshold.count(0));
  }
}
