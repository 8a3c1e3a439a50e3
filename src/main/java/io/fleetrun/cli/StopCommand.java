package io.fleetrun.cli;

import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.RequestAnswer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fleetrun stop}: stops an invocation, or some of its instances, on the running daemon. */
@Command(name = "stop", description = "Stop an invocation (one-time or periodic), or some of its instances; remote processes are killed.")
public final class StopCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Parameters(paramLabel = "INVOKE_ID")
  String invokeId;

  @Option(names = "--instance", paramLabel = "ID", description = "Only this instance (repeatable).")
  List<String> instances = List.of();

  @Override
  public Integer call() throws InterruptedException {
    Set<InstanceId> only = instances.stream().map(InstanceId::new).collect(Collectors.toSet());
    try (Database db = CliDatabase.open(config)) {
      String url = db.jdbcUrl();
      DaemonClient client = new DaemonClient(new JooqControlChannel(db));
      Optional<String> noDaemon = client.whyNoDaemon(url);
      if (noDaemon.isPresent()) {
        System.err.println(noDaemon.get());
        return ExitCodes.NO_DAEMON;
      }
      Optional<RequestAnswer> answer = client.send(new ControlRequest.Stop(new InvokeId(invokeId), only));
      if (answer.isEmpty()) {
        System.err.println("the daemon did not answer within 15s");
        return ExitCodes.TIMEOUT;
      }
      if (answer.get() instanceof RequestAnswer.Refused refused) {
        System.err.println("refused: " + refused.error());
        return ExitCodes.REFUSED;
      }
      System.out.println("stopped " + invokeId + (only.isEmpty() ? "" : " on " + instances));
      return ExitCodes.OK;
    }
  }
}
