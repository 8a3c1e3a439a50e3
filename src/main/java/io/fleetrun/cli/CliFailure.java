package io.fleetrun.cli;

/** Ends a CLI command with a message for the operator (no stack trace) and an exit code. */
public final class CliFailure extends RuntimeException {
  private final int exitCode;

  public CliFailure(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
