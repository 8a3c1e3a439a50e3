package io.fleetrun.cli;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.ReadOnlyDatabase;
import io.fleetrun.store.RecordPage;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fleetrun results INVOKE_ID}: the records of an invocation, with their output, newest
 * first, a page at a time (a periodic invocation gathers records without end). Control
 * characters are shown escaped everywhere (also into a pipe or file, so a later {@code cat} or
 * {@code less -R} of it is as safe), except with {@code --raw} and {@code --json}.
 */
@Command(name = "results", description = "Show the records of one invocation, newest first: statuses, exit codes, errors, times, output.")
public final class ResultsCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "INVOKE_ID")
  String invokeId;

  @Option(names = "--instance", paramLabel = "ID", description = "Only this instance.")
  String instance;

  /** How many records a page shows unless told. */
  static final int DEFAULT_LIMIT = 100;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "" + DEFAULT_LIMIT,
      description = "Show the N newest records (default ${DEFAULT-VALUE}); 0 shows all.")
  int limit;

  @Option(
      names = "--before",
      paramLabel = "RECORD_ID",
      description = "Only records older than this record id: the next page, as the end of a page says.")
  Long before;

  @Option(names = "--json", description = "Print JSON (output as stored; JSON escapes control characters).")
  boolean json;

  @Option(
      names = "--raw",
      description =
          "Print output and error info as stored. By default control characters a target sent"
              + " (escape sequences, \\r, BEL, bidi overrides) are shown escaped, like \\e[31m.")
  boolean raw;

  @Override
  public Integer call() {
    if (limit < 0) {
      throw new IllegalArgumentException("--limit must be 0 (all) or more, not " + limit);
    }
    InvokeId id = new InvokeId(invokeId);
    Optional<Invocation> invocation;
    RecordPage page;
    try (ReadOnlyDatabase db = CliDatabase.read(config)) {
      JdbcInvocationQueries queries = new JdbcInvocationQueries(db);
      invocation = queries.findInvocation(id);
      page = queries.recordsPage(id, Optional.ofNullable(instance).map(InstanceId::new),
          Optional.ofNullable(before).map(RecordId::new), limit);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (invocation.isEmpty()) {
      spec.commandLine().getErr().println("no invocation " + id);
      return ExitCodes.REFUSED;
    }
    Optional<Long> next = page.older() > 0
        ? Optional.of(page.records().get(page.records().size() - 1).id().value())
        : Optional.empty();
    if (json) {
      Map<String, Object> json = new LinkedHashMap<>(Json.invocation(invocation.get()));
      json.put("records", page.records().stream().map(Json::record).toList());
      json.put("older_records", page.older());
      json.put("next_before", next.orElse(null));
      out.println(Json.write(json));
    } else {
      List<InvocationRecord> records = page.records();
      out.print(raw ? RecordText.raw(invocation.get(), records) : RecordText.of(invocation.get(), records));
      next.ifPresent(n -> out.printf("%n%d older record(s) not shown (newest first, %d per page): next page with"
          + " --before %d, all with --limit 0%n", page.older(), limit, n));
    }
    out.flush();
    return ExitCodes.OK;
  }
}
