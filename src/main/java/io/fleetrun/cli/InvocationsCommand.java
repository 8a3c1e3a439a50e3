package io.fleetrun.cli;

import io.fleetrun.model.DurationText;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.JobId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.InvocationFilter;
import io.fleetrun.store.InvocationSummary;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.ReadOnlyDatabase;
import io.fleetrun.store.RecordCounts;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

  @Spec CommandSpec spec;

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
    Map<InvokeId, RecordCounts> counts;
    try (ReadOnlyDatabase db = CliDatabase.read(config)) {
      JdbcInvocationQueries queries = new JdbcInvocationQueries(db);
      rows = queries.listInvocations(filter);
      counts = queries.recordCounts(rows.stream().map(s -> s.invocation().id()).toList());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(rows.stream()
          .map(s -> Json.summary(s, counts.get(s.invocation().id()))).toList()));
      out.flush();
      return ExitCodes.OK;
    }
    Table table = new Table("INVOKE ID", "JOB", "MODE", "STATUS", "RECORDS", "CREATED");
    for (InvocationSummary s : rows) {
      var i = s.invocation();
      table.row(i.id().value(), i.job().map(Object::toString).orElse("(ad-hoc)"), i.repeat().name(),
          i.status().name(), ProgressText.counts(counts.get(i.id())), i.createdAt().toString());
    }
    out.print(table);
    out.flush();
    return ExitCodes.OK;
  }
}
