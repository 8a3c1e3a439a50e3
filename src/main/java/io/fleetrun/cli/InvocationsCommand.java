package io.fleetrun.cli;

import io.fleetrun.model.DurationText;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.store.InvocationFilter;
import io.fleetrun.store.InvocationSummary;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.ReadOnlyDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fleetrun invocations}: the latest invocations, newest first. */
@Command(name = "invocations", description = "List invocations, newest first.")
public final class InvocationsCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(names = "--status", paramLabel = "S", description = "Only this overall status: ${COMPLETION-CANDIDATES}.")
  InvocationStatus status;

  @Option(names = "--job", paramLabel = "ID", description = "Only invocations of this job.")
  String job;

  @Option(names = "--since", paramLabel = "DURATION", description = "Only those created in the last DURATION, like 1h or 30m.")
  String since;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    InvocationFilter filter =
        new InvocationFilter(
            Optional.ofNullable(status),
            Optional.ofNullable(job).map(JobId::new),
            Optional.ofNullable(since).map(s -> Instant.now().minus(DurationText.parse(s))),
            limit);
    List<InvocationSummary> rows;
    try (ReadOnlyDatabase db = CliDatabase.read(config)) {
      rows = new JdbcInvocationQueries(db).listInvocations(filter);
    }
    if (json) {
      System.out.println(Json.write(rows.stream().map(Json::summary).toList()));
      return ExitCodes.OK;
    }
    Table table = new Table("INVOKE ID", "JOB", "MODE", "STATUS", "RUNNING", "STOPPED", "FINISHED", "FAILED", "CREATED");
    for (InvocationSummary s : rows) {
      var i = s.invocation();
      table.row(i.id().value(), i.job().map(Object::toString).orElse("(ad-hoc)"), i.repeat().name(),
          i.status().name(), count(s, RecordStatus.Running), count(s, RecordStatus.Stopped),
          count(s, RecordStatus.Finished), count(s, RecordStatus.Failed), i.createdAt().toString());
    }
    System.out.print(table);
    return ExitCodes.OK;
  }

  private static String count(InvocationSummary s, RecordStatus status) {
    return String.valueOf(s.instanceCounts().getOrDefault(status, 0));
  }
}
