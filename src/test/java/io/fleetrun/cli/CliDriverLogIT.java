package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.testing.FleetrunProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a process prints the PostgreSQL driver's warnings (java.util.logging) as one line on
 * stderr, the URL in them cut before its query, not as JUL's two-line console output with the
 * whole URL. The URL has a path config accepts and the driver refuses ("too many /"): no server
 * is reached, and its query holds a marker that must not come out.
 */
class CliDriverLogIT {
  private static final String MARKER = "qmarker42";

  @TempDir Path dir;

  @Test
  void theDriversWarningIsOneLineWithoutTheUrlsQuery() throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:5432/fleetrun_none/extra?ApplicationName=" + MARKER;
    Path config = dir.resolve("fleetrun.yaml");
    Files.writeString(config, "database: { url: \"" + url + "\" }\n");
    Path output = dir.resolve("cli.out");
    Process cli = FleetrunProcess.command("status", "--config", config.toString())
        .redirectOutput(output.toFile())
        .start();
    try {
      assertThat(cli.waitFor(60, TimeUnit.SECONDS)).as("the CLI ends").isTrue();
    } finally {
      cli.destroyForcibly();
    }
    List<String> lines = Files.readAllLines(output);
    assertThat(lines).as("stdout and stderr").noneMatch(line -> line.contains(MARKER));
    assertThat(lines).contains("WARNING org.postgresql.Driver - JDBC URL contains too many / characters: "
        + "jdbc:postgresql://127.0.0.1:5432/fleetrun_none/extra?...");
    assertThat(cli.exitValue()).as("no database: exit 4").isEqualTo(4);
  }
}
