package io.fleetrun.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code .ci/check-e2e-ran}, the part of {@code .ci/run} that proves every *IT class ran, against
 * fake source and report folders.
 */
class CheckE2eRanTest {
  private static final Path SCRIPT = Path.of(".ci/check-e2e-ran").toAbsolutePath();

  @TempDir Path dir;
  private Path sources;
  private Path reports;

  @BeforeEach
  void threeItClassesAndAnAbstractOne() throws IOException {
    sources = dir.resolve("src/test/java");
    reports = Files.createDirectories(dir.resolve("failsafe-reports"));
    source("io/fleetrun/a/AlphaIT.java", "class AlphaIT {}");
    source("io/fleetrun/b/BetaIT.java", "final class BetaIT {}");
    // a nested abstract helper does not make the test class abstract
    source("io/fleetrun/b/GammaIT.java", "public class GammaIT {\n  abstract static class Step {}\n}");
    source("io/fleetrun/b/BaseIT.java", "/** shared */\npublic abstract class BaseIT {}");
    source("io/fleetrun/b/PlainTest.java", "class PlainTest {}");
  }

  @Test
  void passesWhenEveryConcreteItClassRanWithoutSkips() throws IOException {
    report("io.fleetrun.a.AlphaIT", 3, 0);
    report("io.fleetrun.b.BetaIT", 1, 0);
    report("io.fleetrun.b.GammaIT", 5, 0);

    LocalCommand.Result result = check();

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("ci: 3 of 3 end-to-end test classes ran");
  }

  @Test
  void failsNamingAMissingAndASkippedClass() throws IOException {
    report("io.fleetrun.a.AlphaIT", 3, 0);
    report("io.fleetrun.b.BetaIT", 2, 1);

    LocalCommand.Result result = check();

    assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
    assertThat(result.output())
        .contains("ci: 1 of 3 end-to-end test classes ran")
        .contains("io.fleetrun.b.BetaIT: skipped 1 of 2 tests")
        .contains("io.fleetrun.b.GammaIT: missing")
        .doesNotContain("BaseIT")
        .doesNotContain("AlphaIT:");
  }

  @Test
  void aClassSkippedWholesaleOrWithoutTestsDidNotRun() throws IOException {
    report("io.fleetrun.a.AlphaIT", 1, 1);
    report("io.fleetrun.b.BetaIT", 0, 0); // what an abort in @BeforeAll leaves (failsafe 3.5)
    report("io.fleetrun.b.GammaIT", 5, 0);

    LocalCommand.Result result = check();

    assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
    assertThat(result.output())
        .contains("ci: 1 of 3 end-to-end test classes ran")
        .contains("io.fleetrun.a.AlphaIT: skipped 1 of 1 tests")
        .contains("io.fleetrun.b.BetaIT: ran no tests");
  }

  @Test
  void aClassWhoseTestsFailedDidNotRunInFull() throws IOException {
    report("io.fleetrun.a.AlphaIT", 1, 0, 1); // what a CI failure in @BeforeAll leaves
    report("io.fleetrun.b.BetaIT", 2, 0);
    report("io.fleetrun.b.GammaIT", 5, 0);

    LocalCommand.Result result = check();

    assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
    assertThat(result.output())
        .contains("ci: 2 of 3 end-to-end test classes ran")
        .contains("io.fleetrun.a.AlphaIT: 1 of 1 tests failed");
  }

  @Test
  void noItClassesAtAllIsAFailureNotAPass() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));

    LocalCommand.Result result =
        LocalCommand.run(Duration.ofSeconds(30), "bash", SCRIPT.toString(), empty.toString(),
            reports.toString());

    assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
    assertThat(result.output()).contains("no *IT classes under");
  }

  private LocalCommand.Result check() {
    return LocalCommand.run(Duration.ofSeconds(30), "bash", SCRIPT.toString(), sources.toString(),
        reports.toString());
  }

  private void source(String path, String text) throws IOException {
    Path file = sources.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "package x;\n\n" + text + "\n");
  }

  /** The shape failsafe 3 writes: the testsuite tag on one line, attributes in this order. */
  private void report(String className, int tests, int skipped) throws IOException {
    report(className, tests, skipped, 0);
  }

  private void report(String className, int tests, int skipped, int failures)
      throws IOException {
    Files.writeString(reports.resolve("TEST-" + className + ".xml"), """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="3.0.2" \
        name="%s" time="1.2" tests="%d" errors="0" skipped="%d" failures="%d">
          <properties/>
        </testsuite>
        """.formatted(className, tests, skipped, failures));
  }
}
