package io.fleetrun.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestTest {
  private static final List<String> KEYS = List.of("connectTimeout", "knownHosts", "user");

  @Test
  void suggestsTheKnownWordWithinTwoEdits() {
    assertThat(Suggest.closest("conectTimeout", KEYS)).contains("connectTimeout");
    assertThat(Suggest.closest("knownhosts", KEYS)).contains("knownHosts");
    assertThat(Suggest.closest("usr", KEYS)).contains("user");
  }

  @Test
  void swappedNeighboursCountAsOneEdit() {
    assertThat(Suggest.distance("wbe", "web")).isEqualTo(1);
    assertThat(Suggest.closest("uesr", KEYS)).contains("user");
  }

  @Test
  void suggestsNothingForFarOrTinyWords() {
    assertThat(Suggest.closest("timeout", KEYS)).isEmpty();
    assertThat(Suggest.closest("c", List.of("a", "b"))).isEmpty();
    assertThat(Suggest.didYouMean("zzz", KEYS)).isEmpty();
  }
}
