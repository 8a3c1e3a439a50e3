package io.fleetrun.cli;

import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.CliRequests;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fleetrun stop}: stops an invocation, or some of its instances, on the running daemon. */
@Command(name = "stop", description = "Stop an invocation (one-time or periodic), or some of its instances; remote processes are killed.")
public final class StopCommand implements Callable<Integer> {
  @Mixin ConfigOption config;
  @Mixin AnswerTimeout answerTimeout;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "INVOKE_ID")
  String invokeId;

  @Option(names = "--instance", paramLabel = "ID", description = "Only this instance (repeatable).")
  List<String> instances = List.of();

  @Override
  public Integer call() throws InterruptedException {
    InvokeId id = new InvokeId(invokeId);
    Duration answerWait = answerTimeout.duration();
    Set<InstanceId> only = instances.stream().map(InstanceId::new).collect(Collectors.toSet());
    try (CliRequests db = CliDatabase.requests(config)) {
      new DaemonClient(db, answerWait, spec.commandLine().getErr()).request(new ControlRequest.Stop(id, only));
      spec.commandLine().getOut().println("stopped " + invokeId + (only.isEmpty() ? "" : " on " + instances));
      return ExitCodes.OK;
    }
  }
}
