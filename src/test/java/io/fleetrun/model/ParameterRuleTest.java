package io.fleetrun.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The one check of parameter values, used by config and by ad-hoc runs. */
class ParameterRuleTest {
  private static final ParameterRule INTEGER =
      new ParameterRule(ParameterType.INTEGER, Optional.empty());

  @ParameterizedTest
  @ValueSource(strings = {"0", "5", "-5", "007", "123456789012345678", "-123456789012345678"})
  void integerTakesDigitsWithAnOptionalMinus(String value) {
    assertThat(INTEGER.refusal(value)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "+5", " 5", "5 ", "1.5", "0x10", "1234567890123456789", "-", "a[$(touch M)]", "5\n",
        "١٢"
      })
  void integerRefusesAnythingElse(String value) {
    assertThat(INTEGER.refusal(value)).get().asString().startsWith("is declared `type: integer`");
  }

  @Test
  void patternMustMatchTheWholeValue() {
    ParameterRule tag = new ParameterRule(ParameterType.STRING, Optional.of("[a-z0-9-]+"));
    assertThat(tag.refusal("web-1")).isEmpty();
    assertThat(tag.refusal("web-1; reboot"))
        .contains("must match the pattern [a-z0-9-]+ (the whole value), got 'web-1; reboot'");
  }

  @Test
  void refusedValueIsShownWithItsControlCharactersVisible() {
    assertThat(INTEGER.refusal("\u001b]52;c;eA==\u0007")).get().asString().endsWith("got '\\e]52;c;eA==\\x07'");
  }

  @Test
  void invalidPatternIsRefusedWhenTheRuleIsMade() {
    assertThatThrownBy(() -> new ParameterRule(ParameterType.STRING, Optional.of("[a-z")))
        .isInstanceOf(PatternSyntaxException.class);
  }

  @Test
  void refusalsNameEachParameterAndTreatUndeclaredOnesAsStrings() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("n", "x");
    values.put("free", "$(anything)");
    values.put("m", "7");
    assertThat(ParameterRule.refusals(Map.of("n", INTEGER, "m", INTEGER), values))
        .containsExactly(
            "parameter 'n' is declared `type: integer` and must match -?[0-9]{1,18} (digits, an"
                + " optional leading '-', no spaces), got 'x'");
  }
}
