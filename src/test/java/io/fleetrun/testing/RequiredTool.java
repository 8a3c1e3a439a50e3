package io.fleetrun.testing;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one place that decides what a test does when a tool it needs from the machine (OpenSSH's
 * {@code sshd}, later PostgreSQL) is missing: on a developer's box the test is skipped with the
 * reason, so {@code mvn verify} stays usable without the tool; under CI ({@code CI=true}, which
 * {@code .ci/run} sets) it fails with the reason, because a skipped end-to-end test there would
 * turn a broken machine into a green build.
 *
 * <pre>
 * RequiredTool.require("sshd", OpenSshTargets.unavailableReason());
 * </pre>
 *
 * <p>Call it first in {@code @BeforeAll} (the whole class) or in a test. Nothing else in {@code
 * src/test} may skip a test on the machine's account.
 */
public final class RequiredTool {
  /** The environment variable CI services set; {@code .ci/run} sets it too. */
  public static final String CI_VARIABLE = "CI";

  /** What a test does about a tool. */
  public enum Action {
    RUN,
    SKIP,
    FAIL
  }

  /** The decision and the sentence a skip or failure shows (empty for {@link Action#RUN}). */
  public record Decision(Action action, String message) {
    public Decision {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(message, "message");
    }
  }

  private RequiredTool() {}

  /**
   * Skips (outside CI) or fails (under CI) the current test or class when {@code unavailable}
   * holds a reason; returns normally when it is empty.
   *
   * @param tool what the test needs, as a user would name it ({@code "sshd"})
   * @param unavailable why it cannot run here, including the fix, or empty when it can
   */
  public static void require(String tool, Optional<String> unavailable) {
    require(System.getenv(), tool, unavailable);
  }

  static void require(Map<String, String> env, String tool, Optional<String> unavailable) {
    Decision decision = decide(env, tool, unavailable);
    switch (decision.action()) {
      case RUN -> {}
      case SKIP -> Assumptions.abort(decision.message());
      case FAIL -> Assertions.fail(decision.message());
    }
  }

  /** The pure decision: which environment, whether the tool is there. */
  static Decision decide(Map<String, String> env, String tool, Optional<String> unavailable) {
    Objects.requireNonNull(tool, "tool");
    if (unavailable.isEmpty()) {
      return new Decision(Action.RUN, "");
    }
    String why = tool + " unavailable: " + unavailable.get();
    if (underCi(env)) {
      return new Decision(Action.FAIL, why + " (" + CI_VARIABLE + "=" + env.get(CI_VARIABLE)
          + ": a test that needs " + tool + " must run under CI, not be skipped)");
    }
    return new Decision(Action.SKIP, why + " (skipped outside CI; under " + CI_VARIABLE
        + "=true this fails)");
  }

  /** {@code CI=true} or {@code CI=1}, as CI services set it; anything else is a developer's box. */
  static boolean underCi(Map<String, String> env) {
    String value = env.getOrDefault(CI_VARIABLE, "").strip();
    return value.equalsIgnoreCase("true") || value.equals("1");
  }
}
