package io.fleetrun.cli;

/** Exit codes of the CLI, documented in the README. */
public final class ExitCodes {
  /** Done; for {@code run --wait}: Finished with every exit code 0. */
  public static final int OK = 0;
  /** {@code run --wait}: the invocation ended otherwise (a failure, a stop, a non-zero exit). */
  public static final int NOT_SUCCESSFUL = 1;
  /** Bad config. */
  public static final int CONFIG = 2;
  /** The daemon refused the request, or no such invocation. */
  public static final int REFUSED = 3;
  /** No daemon is alive on this database. */
  public static final int NO_DAEMON = 4;
  /**
   * Waited longer than allowed while the work goes on: {@code run --wait}'s invocation still
   * runs, or the daemon took a {@code run}/{@code stop} request but has not answered it yet.
   */
  public static final int TIMEOUT = 5;
  /** {@code daemon}: another daemon is running on the same database. */
  public static final int DAEMON_RUNNING = 6;
  /**
   * {@code run}/{@code stop}: the daemon did not take the request within {@code
   * --answer-timeout}; the CLI withdrew it, so it will never run (safe to retry).
   */
  public static final int WITHDRAWN = 7;
  /** Bad command-line input, like picocli's own usage errors (the same code as a bad config). */
  public static final int USAGE = 2;

  private ExitCodes() {}
}
