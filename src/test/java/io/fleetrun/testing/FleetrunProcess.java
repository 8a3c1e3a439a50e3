package io.fleetrun.testing;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code fleetrun} as a separate process from the built jar (failsafe runs after
 * {@code package}), the way an operator or systemd starts it.
 */
public final class FleetrunProcess {
  /** The project folder (failsafe's working directory). */
  public static final Path ROOT = Path.of("").toAbsolutePath();

  private FleetrunProcess() {}

  /** {@code java ... io.fleetrun.Main args}, output discarded unless the caller redirects it. */
  public static ProcessBuilder command(String... args) {
    List<String> argv = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dlogback.configurationFile=" + ROOT.resolve("config/logback.xml"),
        "-cp", ROOT.resolve("target/fleetrun.jar") + File.pathSeparator + ROOT.resolve("target/lib/*"),
        "io.fleetrun.Main"));
    argv.addAll(List.of(args));
    return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
  }
}
