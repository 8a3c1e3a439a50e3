package io.fleetrun;

import io.fleetrun.cli.CliFailure;
import io.fleetrun.cli.ExitCodes;
import io.fleetrun.cli.InvocationsCommand;
import io.fleetrun.cli.ResultsCommand;
import io.fleetrun.cli.RunCommand;
import io.fleetrun.cli.StatusCommand;
import io.fleetrun.cli.StopCommand;
import io.fleetrun.cli.ValidateCommand;
import io.fleetrun.config.ConfigException;
import io.fleetrun.daemon.DaemonCommand;
import io.fleetrun.demo.DemoCommand;
import io.fleetrun.model.TerminalText;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code bin/fleetrun}: the daemon, the demo and the CLI commands. */
@Command(
    name = "fleetrun",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Run scripts on a fleet of machines over SSH, on a schedule; every run recorded in SQL.",
    subcommands = {
      DaemonCommand.class,
      DemoCommand.class,
      ValidateCommand.class,
      InvocationsCommand.class,
      ResultsCommand.class,
      RunCommand.class,
      StopCommand.class,
      StatusCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * The commands that log nothing of their own: the readers, and {@code run} and {@code stop},
   * whose messages are printed too (starting logback cost them a few hundred milliseconds of CPU).
   */
  static final Set<String> READERS = Set.of("invocations", "results", "status", "run", "stop");

  public static void main(String[] args) {
    if (args.length > 0 && READERS.contains(args[0])) {
      quietLogging();
    }
    System.exit(commandLine().execute(args));
  }

  /**
   * Binds SLF4J to its no-op logger for this process: sqlite-jdbc asks SLF4J for a logger when
   * it loads, and starting logback for it costs a read command a few hundred milliseconds while
   * nothing is logged (the command's own messages are printed, not logged). Only in {@link
   * #main}, never in a JVM that runs other things (tests), and not when the operator chose a
   * provider.
   */
  private static void quietLogging() {
    if (System.getProperty("slf4j.provider") == null) {
      System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
      // SLF4J would say at INFO on stderr that it uses the provider it was told to use.
      System.setProperty("slf4j.internal.verbosity", "WARN");
    }
  }

  /** The command line with fleetrun's parsing rules (also used by tests). */
  public static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Main::explain);
  }

  /** Problems an operator can fix end with a message and an exit code, not a stack trace. */
  private static int explain(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
    if (e instanceof CliFailure failure) {
      // May carry a daemon's reply or a server's message: shown with control characters escaped.
      cmd.getErr().println(TerminalText.visible(failure.getMessage()));
      return failure.exitCode();
    }
    if (e instanceof ConfigException) {
      cmd.getErr().println(TerminalText.visible(e.getMessage()));
      return ExitCodes.CONFIG;
    }
    if (e instanceof IllegalArgumentException) {
      // Bad input in an option or parameter (a duration like 5x, a blank id): a usage error, not
      // exit 1, which run --wait uses for "the invocation did not succeed".
      cmd.getErr()
          .printf(
              "%s: %s (see '%s --help')%n",
              cmd.getCommandSpec().qualifiedName(),
              e.getMessage(),
              cmd.getCommandSpec().qualifiedName());
      return ExitCodes.USAGE;
    }
    throw e;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"fleetrun " + (v == null ? "dev" : v)};
    }
  }
}
