package io.fleetrun.cli;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.DurationText;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqInvocationQueries;
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
import picocli.CommandLine.Option;

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

  @Option(names = "--wait", description = "Follow the invocation to its end; exit 0 only if it is Finished with every exit code 0.")
  boolean await;

  @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "1h", description = "Give up waiting after this (default ${DEFAULT-VALUE}).")
  String waitTimeout;

  @Override
  public Integer call() throws InterruptedException {
    // Parsed before the request is sent, so a typo does not leave an invocation running.
    Duration timeout = DurationText.parse(waitTimeout);
    Duration answerWait = answerTimeout.duration();
    ControlRequest.Run request = new ControlRequest.Run(new CommandId(command),
        targets.instances.stream().map(InstanceId::new).toList(), Set.copyOf(targets.tags), params);
    try (Database db = CliDatabase.open(config)) {
      InvokeId id = new DaemonClient(db, answerWait).request(request);
      System.out.println(id);
      return await ? follow(new JooqInvocationQueries(db), id, timeout) : ExitCodes.OK;
    }
  }

  private int follow(JooqInvocationQueries queries, InvokeId id, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      Optional<Invocation> invocation = queries.findInvocation(id).filter(i -> i.status().isEnded());
      if (invocation.isPresent()) {
        List<InvocationRecord> records = queries.listRecords(id, Optional.empty());
        System.err.print(RecordText.of(invocation.get(), records));
        boolean success = invocation.get().status() == InvocationStatus.Finished
            && records.stream().allMatch(r -> r.exitCode().equals(Optional.of(0)));
        return success ? ExitCodes.OK : ExitCodes.NOT_SUCCESSFUL;
      }
      Thread.sleep(Duration.ofMillis(200).toMillis());
    }
    System.err.println("invocation " + id + " still running after " + waitTimeout);
    return ExitCodes.TIMEOUT;
  }
}
