package io.fleetrun.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * {@link OpenSshTargets} for a whole test class, in its own temporary folder:
 *
 * <pre>
 * {@literal @}RegisterExtension
 * static final OpenSshTargetsExtension SSH = new OpenSshTargetsExtension(3);
 *
 * {@literal @}Test void runsEverywhere(OpenSshTargets targets) { ... }   // or SSH.targets()
 * </pre>
 *
 * When OpenSSH cannot run here the class is skipped, or fails under CI (see {@link
 * OpenSshTargets#start}).
 */
public final class OpenSshTargetsExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private final int count;
  private Path dir;
  private OpenSshTargets targets;

  /** Starts {@code count} targets before all tests of the class. */
  public OpenSshTargetsExtension(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    this.count = count;
  }

  /** The running targets; only between beforeAll and afterAll. */
  public OpenSshTargets targets() {
    if (targets == null) {
      throw new IllegalStateException(
          "targets not started: register with @RegisterExtension static");
    }
    return targets;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    OpenSshTargets.requireAvailable();
    dir = Files.createTempDirectory("fleetrun-sshd-");
    targets = OpenSshTargets.start(dir, count);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (targets != null) {
        targets.close();
      }
    } finally {
      targets = null;
      deleteTree(dir);
      dir = null;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == OpenSshTargets.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return targets();
  }

  private static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
