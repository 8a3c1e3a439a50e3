package io.fleetrun.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientTokenTest {
  @ParameterizedTest
  @ValueSource(strings = {"a", "deploy 2026-12-02 #1", "~!@{}\"'", "0123456789012345678901234567890123456789012345678901234567890123"})
  void oneToSixtyFourPrintableAsciiCharactersAreAToken(String value) {
    assertThat(new ClientToken(value).value()).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "01234567890123456789012345678901234567890123456789012345678901234", "tab\there",
      "new\nline", "caf\u00e9", "\u007f"})
  void anythingElseIsRefused(String value) {
    assertThatThrownBy(() -> new ClientToken(value)).isInstanceOf(IllegalArgumentException.class);
  }
}
