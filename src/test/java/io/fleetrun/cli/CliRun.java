package io.fleetrun.cli;

import io.fleetrun.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * One CLI command run in-process, as {@code bin/fleetrun} would run it, with its exit code and
 * what it printed on stdout and stderr (line ends as {@code \n}).
 */
record CliRun(int exit, String out, String err) {

  /** Runs {@code args} (the command and its options). */
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    return new CliRun(code, out.toString().replace(System.lineSeparator(), "\n"),
        err.toString().replace(System.lineSeparator(), "\n"));
  }

  /** Runs {@code args} with {@code --config config} added. */
  static CliRun withConfig(Path config, String... args) {
    String[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--config";
    all[args.length + 1] = config.toString();
    return of(all);
  }
}
