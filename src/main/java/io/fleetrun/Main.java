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

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
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
