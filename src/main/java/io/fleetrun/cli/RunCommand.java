package io.fleetrun.cli;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.DurationText;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Threshold;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqInvocationQueries;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fleetrun run}: an ad-hoc one-time invocation, started by the running daemon. */
@Command(name = "run", description = "Start an ad-hoc one-time invocation through the running daemon; print its invoke id.")
public final class RunCommand implements Callable<Integer> {
  @Mixin ConfigOption config;
  @Mixin AnswerTimeout answerTimeout;

  @Option(names = "--command", required = true, paramLabel = "ID", description = "Command id from the config.")
  String command;

  @ArgGroup(exclusive = false, multiplicity = "1")
  Targets targets;

  static final class Targets {
    @Option(names = "--instances", split = ",", paramLabel = "ID", description = "Instance ids, comma-separated.")
    List<String> instances = List.of();

    @Option(names = "--tags", split = ",", paramLabel = "TAG", description = "Every instance with one of these tags.")
    List<String> tags = List.of();
  }

  @Option(names = "--param", paramLabel = "NAME=VALUE", description = "A parameter value (repeatable).")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(
      names = "--max-concurrency",
      paramLabel = "N|P%",
      description = "At most this many records of the invocation run at once: a number (10) or a percentage of the targets (25%). Default: no limit beyond limits.maxSessions.")
  String maxConcurrency;

  @Option(
      names = "--max-errors",
      paramLabel = "N|P%",
      description = "Once more records than this have failed, targets not started yet end Failed/Cancelled (MaxErrorsExceeded): a number or a percentage of the targets. Default: no limit.")
  String maxErrors;

  @Spec CommandSpec spec;

  @Option(names = "--wait", description = "Follow the invocation to its end; exit 0 only if it is Finished with every exit code 0.")
  boolean await;

  @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "1h", description = "Give up waiting after this (default ${DEFAULT-VALUE}).")
  String waitTimeout;

  @Override
  public Integer call() throws InterruptedException {
    // Parsed before the request is sent, so a typo does not leave an invocation running.
    Duration timeout = DurationText.parse(waitTimeout);
    Duration answerWait = answerTimeout.duration();
    ConcurrencyControls controls = controls();
    ControlRequest.Run request = new ControlRequest.Run(new CommandId(command),
        targets.instances.stream().map(InstanceId::new).toList(), Set.copyOf(targets.tags), params,
        controls);
    PrintWriter out = spec.commandLine().getOut();
    try (Database db = CliDatabase.open(config)) {
      InvokeId id = new DaemonClient(db, answerWait, spec.commandLine().getErr()).request(request);
      out.println(id);
      out.flush();
      return await ? follow(new JooqInvocationQueries(db), id, timeout) : ExitCodes.OK;
    }
  }

  /**
   * The concurrency controls of the options.
   *
   * @throws IllegalArgumentException naming the option whose value is bad (a usage error)
   */
  ConcurrencyControls controls() {
    Optional<Threshold> concurrency = threshold("--max-concurrency", maxConcurrency);
    if (concurrency.map(t -> t.value() == 0).orElse(false)) {
      throw new IllegalArgumentException("--max-concurrency must be at least 1 (or 1%); leave it out for no limit");
    }
    return new ConcurrencyControls(concurrency, threshold("--max-errors", maxErrors));
  }

  private static Optional<Threshold> threshold(String option, String text) {
    try {
      return Optional.ofNullable(text).map(Threshold::parse);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  private int follow(JooqInvocationQueries queries, InvokeId id, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      Optional<Invocation> invocation = queries.findInvocation(id).filter(i -> i.status().isEnded());
      if (invocation.isPresent()) {
        List<InvocationRecord> records = queries.listRecords(id, Optional.empty());
        spec.commandLine().getErr().print(RecordText.of(invocation.get(), records));
        spec.commandLine().getErr().flush();
        boolean success = invocation.get().status() == InvocationStatus.Finished
            && records.stream().allMatch(r -> r.exitCode().equals(Optional.of(0)));
        return success ? ExitCodes.OK : ExitCodes.NOT_SUCCESSFUL;
      }
      Thread.sleep(Duration.ofMillis(200).toMillis());
    }
    spec.commandLine().getErr().println("invocation " + id + " still running after " + waitTimeout);
    return ExitCodes.TIMEOUT;
  }
}
