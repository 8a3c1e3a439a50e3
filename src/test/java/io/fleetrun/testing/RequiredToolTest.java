package io.fleetrun.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.testing.RequiredTool.Action;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** Outside CI a missing tool skips; under CI it fails; a present tool always runs. */
class RequiredToolTest {
  private static final Optional<String> MISSING =
      Optional.of("/usr/sbin/sshd not installed; .ci/run installs openssh-server");

  @ParameterizedTest(name = "CI={0}, tool missing={1} -> {2}")
  @CsvSource(nullValues = "unset", value = {
    "unset, false, RUN",
    "unset, true,  SKIP",
    "'',    true,  SKIP",
    "false, true,  SKIP",
    "0,     true,  SKIP",
    "true,  false, RUN",
    "true,  true,  FAIL",
    "TRUE,  true,  FAIL",
    "1,     true,  FAIL",
  })
  void decidesFromTheEnvironmentAndTheTool(String ci, boolean missing, Action expected) {
    Map<String, String> env = ci == null ? Map.of("PATH", "/usr/bin") : Map.of("CI", ci);

    RequiredTool.Decision decision =
        RequiredTool.decide(env, "sshd", missing ? MISSING : Optional.empty());

    assertThat(decision.action()).isEqualTo(expected);
    if (missing) {
      // the reason and its fix reach the report either way
      assertThat(decision.message())
          .startsWith("sshd unavailable: /usr/sbin/sshd not installed")
          .contains(".ci/run installs openssh-server");
    } else {
      assertThat(decision.message()).isEmpty();
    }
  }

  @Test
  void aSkipAbortsTheTestAndAFailureFailsIt() {
    assertThatThrownBy(() -> RequiredTool.require(Map.of(), "sshd", MISSING))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("skipped outside CI");
    assertThatThrownBy(() -> RequiredTool.require(Map.of("CI", "true"), "sshd", MISSING))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("must run under CI, not be skipped")
        .hasMessageContaining(".ci/run installs openssh-server");
    assertThatCode(() -> RequiredTool.require(Map.of("CI", "true"), "sshd", Optional.empty()))
        .doesNotThrowAnyException();
  }
}
