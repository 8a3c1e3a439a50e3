package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.testing.FleetrunProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/fleetrun} while it records the CLI's class data sharing archive: the JVM then runs
 * as the script's child. A child started with {@code &} by a non-interactive shell inherits
 * SIGINT and SIGQUIT ignored (POSIX), and a JVM that starts with SIGINT ignored never installs
 * its handler: Ctrl-C (and the INT the script passes on) would not end the first CLI command
 * after a build, nor run its shutdown hooks ({@code run --wait} withdraws its request there).
 * The JVM is a fake {@code java} (a shell script) that reports the signals it ignores, so no
 * JVM starts and no jar is needed.
 */
class LauncherArchiveTest {
  private static final long SIGINT = 1L << (2 - 1);
  private static final long SIGQUIT = 1L << (3 - 1);

  @TempDir Path dir;

  /** A checkout with bin/fleetrun, an empty jar and target/lib: no archive recorded yet. */
  private Path checkout() throws Exception {
    Path root = Files.createDirectories(dir.resolve("checkout"));
    Files.createDirectories(root.resolve("bin"));
    Files.copy(FleetrunProcess.ROOT.resolve("bin/fleetrun"), root.resolve("bin/fleetrun"),
        StandardCopyOption.COPY_ATTRIBUTES);
    Files.createDirectories(root.resolve("target/lib"));
    Files.writeString(root.resolve("target/fleetrun.jar"), "");
    return root;
  }

  @Test
  void theJvmThatRecordsTheArchiveStillHearsCtrlC() throws Exception {
    Path root = checkout();
    Path jdk = Files.createDirectories(dir.resolve("jdk/bin"));
    Path report = dir.resolve("report");
    // Its arguments, then the SigIgn mask of its own process (read by the shell itself: a
    // command it started would report its own mask).
    Path java = Files.writeString(jdk.resolve("java"), """
        #!/bin/sh
        printf '%s\\n' "$*" >"$FAKE_JAVA_REPORT"
        while read -r key value; do
          if [ "$key" = SigIgn: ]; then echo "$value" >>"$FAKE_JAVA_REPORT"; fi
        done </proc/$$/status
        """);
    assertThat(java.toFile().setExecutable(true)).isTrue();

    ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/fleetrun").toString(), "status")
        .redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", dir.resolve("jdk").toString());
    pb.environment().put("FAKE_JAVA_REPORT", report.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();

    List<String> lines = Files.readAllLines(report);
    assertThat(lines.get(0)).as("the archive is recorded by this command")
        .contains("-XX:ArchiveClassesAtExit=" + root.resolve("target/fleetrun-cli.jsa."));
    long ignored = Long.parseLong(lines.get(1), 16);
    assertThat(ignored & SIGINT).as("SIGINT ignored by the JVM (mask %s)", lines.get(1)).isZero();
    assertThat(ignored & SIGQUIT).as("SIGQUIT ignored by the JVM (mask %s)", lines.get(1)).isZero();
  }

  @Test
  void aCommandStartedWithStdinClosedStillRuns() throws Exception {
    // Recording kept stdin for the JVM with 'exec 3<&0', which kills a shell whose fd 0 is
    // closed ("Bad file descriptor", exit 2) before the JVM starts.
    Path root = checkout();
    Path jdk = Files.createDirectories(dir.resolve("jdk/bin"));
    Path java = Files.writeString(jdk.resolve("java"), "#!/bin/sh\necho the JVM ran\n");
    assertThat(java.toFile().setExecutable(true)).isTrue();

    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "exec \"$0\" status <&-",
        root.resolve("bin/fleetrun").toString()).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", dir.resolve("jdk").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).isEqualTo("the JVM ran\n");
  }
}
