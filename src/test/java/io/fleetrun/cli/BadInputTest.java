package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad option values end with one line on stderr and the usage exit code, never a stack trace. */
class BadInputTest {
  @TempDir Path dir;

  @Test
  void badWaitTimeoutIsAUsageErrorAndNothingIsSent() throws Exception {
    Result r =
        fleetrun("run", "--command", "c", "--instances", "a", "--wait", "--wait-timeout", "5x");

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err())
        .isEqualTo(
            "fleetrun run: '5x' is not a duration; write a whole number and a unit: 500ms, 30s,"
                + " 5m, 2h, 1d (see 'fleetrun run --help')\n");
    // parsed before the database is opened: no request was written
    assertThat(dir.resolve("fleetrun.db")).doesNotExist();
  }

  @Test
  void badMaxConcurrencyOrMaxErrorsIsAUsageErrorNamingTheOptionAndNothingIsSent() throws Exception {
    Result zero = fleetrun("run", "--command", "c", "--instances", "a", "--max-concurrency", "0");
    Result word = fleetrun("run", "--command", "c", "--instances", "a", "--max-errors", "some");
    Result over = fleetrun("run", "--command", "c", "--instances", "a", "--max-errors", "120%");

    assertThat(zero.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(zero.err()).isEqualTo("fleetrun run: --max-concurrency must be at least 1 (or 1%);"
        + " leave it out for no limit (see 'fleetrun run --help')\n");
    assertThat(word.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(word.err()).startsWith("fleetrun run: --max-errors: 'some' is not a count of targets").hasLineCount(1);
    assertThat(over.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(over.err()).startsWith("fleetrun run: --max-errors: a percentage cannot be over 100%").hasLineCount(1);
    assertThat(dir.resolve("fleetrun.db")).doesNotExist();
  }

  @Test
  void badSinceIsAUsageError() throws Exception {
    Result r = fleetrun("invocations", "--since", "5x");

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).startsWith("fleetrun invocations: '5x' is not a duration").doesNotContain("\tat ");
  }

  @Test
  void blankInvokeIdIsAUsageError() throws Exception {
    Result r = fleetrun("stop", "");

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).startsWith("fleetrun stop: ").doesNotContain("\tat ").hasLineCount(1);
  }

  private record Result(int exit, String err) {}

  private Result fleetrun(String... args) throws Exception {
    Path config = dir.resolve("fleetrun.yaml");
    Files.writeString(
        config,
        "database: { url: \"jdbc:sqlite:%s\" }\n".formatted(dir.resolve("fleetrun.db")));
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--config";
    all[args.length + 1] = config.toString();
    StringWriter err = new StringWriter();
    int exit =
        Main.commandLine()
            .setOut(new PrintWriter(new StringWriter()))
            .setErr(new PrintWriter(err, true))
            .execute(all);
    return new Result(exit, err.toString().replace(System.lineSeparator(), "\n"));
  }
}
