package io.fleetrun.cli;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.DurationText;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.CliRequests;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.ReadOnlyDatabase;
import java.io.PrintWriter;
import java.time.Clock;
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

  @Option(
      names = "--progress",
      paramLabel = "WHEN",
      defaultValue = "auto",
      description = "With --wait, progress on stderr: auto (one line redrawn on a terminal, a plain line every --progress-every otherwise), always (the redrawn line), never. Default: ${DEFAULT-VALUE}.")
  String progress;

  @Option(
      names = "--progress-every",
      paramLabel = "DURATION",
      defaultValue = "5s",
      description = "With --wait and stderr not a terminal: a progress line this often (default ${DEFAULT-VALUE}).")
  String progressEvery;

  @Option(names = "--json", description = "Print JSON on stdout: the invoke id, or with --wait the invocation and its records; no progress.")
  boolean json;

  @Override
  public Integer call() throws InterruptedException {
    // Parsed before the request is sent, so a typo does not leave an invocation running.
    Duration timeout = DurationText.parse(waitTimeout);
    Duration answerWait = answerTimeout.duration();
    Duration plainEvery = progressEvery();
    Progress.Style style = style(progress, json, System.console() != null, System.getenv("TERM"));
    ConcurrencyControls controls = controls();
    ControlRequest.Run request = new ControlRequest.Run(new CommandId(command),
        targets.instances.stream().map(InstanceId::new).toList(), Set.copyOf(targets.tags), params,
        controls);
    PrintWriter out = spec.commandLine().getOut();
    InvokeId id;
    DatabaseSettings database;
    try (CliRequests db = CliDatabase.requests(config)) {
      id = new DaemonClient(db, answerWait, spec.commandLine().getErr()).request(request);
      database = db.settings();
    }
    if (json && !await) {
      out.println(Json.write(Map.of("invoke_id", id.value())));
    } else if (!json) {
      out.println(id);
    }
    out.flush();
    if (!await) {
      return ExitCodes.OK;
    }
    try (ReadOnlyDatabase db = CliDatabase.read(database)) {
      Progress shown = new Progress(style, spec.commandLine().getErr(), Clock.systemUTC(), plainEvery, id);
      return follow(new JdbcInvocationQueries(db), id, timeout, shown);
    }
  }

  /**
   * How {@code --progress} shows: never with {@code --json} (stdout is the JSON, stderr stays
   * quiet); for {@code auto}, redrawn when a console is attached and {@code TERM} is not {@code
   * dumb}. Java sees only whether stdin and stdout are a terminal, not stderr, so {@code 2>log}
   * with stdout on a terminal still gets the redrawn line; {@code --progress=never} is the way out.
   *
   * @throws IllegalArgumentException for a value other than auto, always, never
   */
  static Progress.Style style(String option, boolean json, boolean console, String term) {
    Progress.Style asked = switch (option) {
      case "auto" -> console && term != null && !term.isBlank() && !term.equals("dumb")
          ? Progress.Style.TERMINAL : Progress.Style.PLAIN;
      case "always" -> Progress.Style.TERMINAL;
      case "never" -> Progress.Style.NONE;
      default -> throw new IllegalArgumentException(
          "--progress must be auto, always or never, not '" + option + "'");
    };
    return json ? Progress.Style.NONE : asked;
  }

  private Duration progressEvery() {
    Duration every;
    try {
      every = DurationText.parse(progressEvery);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--progress-every: " + e.getMessage(), e);
    }
    if (every.isZero() || every.isNegative()) {
      throw new IllegalArgumentException("--progress-every must be more than 0, not " + progressEvery);
    }
    return every;
  }

  /**
   * The concurrency controls of the options.
   *
   * @throws IllegalArgumentException naming the option whose value is bad (a usage error)
   */
  ConcurrencyControls controls() {
    return ConcurrencyControls.parse("--max-concurrency", maxConcurrency, "--max-errors", maxErrors);
  }

  /** How often {@code --wait} looks whether the invocation ended. */
  static final Duration FOLLOW_POLL = Duration.ofMillis(50);

  private int follow(JdbcInvocationQueries queries, InvokeId id, Duration timeout, Progress progress)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    PrintWriter err = spec.commandLine().getErr();
    while (Instant.now().isBefore(deadline)) {
      Optional<Invocation> invocation = queries.findInvocation(id).filter(i -> i.status().isEnded());
      if (invocation.isPresent()) {
        progress.end();
        List<InvocationRecord> records = queries.listRecords(id, Optional.empty());
        if (json) {
          Map<String, Object> all = new LinkedHashMap<>(Json.invocation(invocation.get()));
          all.put("records", records.stream().map(Json::record).toList());
          spec.commandLine().getOut().println(Json.write(all));
          spec.commandLine().getOut().flush();
        } else {
          err.print(RecordText.of(invocation.get(), records));
          err.flush();
        }
        boolean success = invocation.get().status() == InvocationStatus.Finished
            && records.stream().allMatch(r -> r.exitCode().equals(Optional.of(0)));
        return success ? ExitCodes.OK : ExitCodes.NOT_SUCCESSFUL;
      }
      progress.show(queries.recordCounts(id));
      // Two indexed reads per look: the end is noticed within FOLLOW_POLL, while the progress
      // line keeps its own pace (Progress throttles itself).
      Thread.sleep(FOLLOW_POLL.toMillis());
    }
    progress.end();
    err.println("invocation " + id + " still running after " + waitTimeout);
    return ExitCodes.TIMEOUT;
  }
}
