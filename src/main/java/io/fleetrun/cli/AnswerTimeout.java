package io.fleetrun.cli;

import io.fleetrun.model.DurationText;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --answer-timeout}, shared by the commands that send the daemon a request. */
public final class AnswerTimeout {
  @Option(
      names = "--answer-timeout",
      paramLabel = "DURATION",
      defaultValue = "15s",
      description = "How long to wait for the daemon to answer the request (default ${DEFAULT-VALUE});"
          + " a request the daemon took by then is waited for as long again.")
  String text;

  /** The parsed duration; a bad value is a usage error. */
  Duration duration() {
    return DurationText.parse(text);
  }
}
