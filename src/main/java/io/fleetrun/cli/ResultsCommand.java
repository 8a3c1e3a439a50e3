package io.fleetrun.cli;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.ReadOnlyDatabase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fleetrun results INVOKE_ID}: every record of an invocation, with its output. Control
 * characters are shown escaped everywhere (also into a pipe or file, so a later {@code cat} or
 * {@code less -R} of it is as safe), except with {@code --raw} and {@code --json}.
 */
@Command(name = "results", description = "Show the records of one invocation: statuses, exit codes, errors, times, output.")
public final class ResultsCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Parameters(paramLabel = "INVOKE_ID")
  String invokeId;

  @Option(names = "--instance", paramLabel = "ID", description = "Only this instance.")
  String instance;

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
    InvokeId id = new InvokeId(invokeId);
    Optional<Invocation> invocation;
    List<InvocationRecord> records;
    try (ReadOnlyDatabase db = CliDatabase.read(config)) {
      JdbcInvocationQueries queries = new JdbcInvocationQueries(db);
      invocation = queries.findInvocation(id);
      records = queries.listRecords(id, Optional.ofNullable(instance).map(InstanceId::new));
    }
    if (invocation.isEmpty()) {
      System.err.println("no invocation " + id);
      return ExitCodes.REFUSED;
    }
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>(Json.invocation(invocation.get()));
      out.put("records", records.stream().map(Json::record).toList());
      System.out.println(Json.write(out));
    } else {
      System.out.print(
          raw ? RecordText.raw(invocation.get(), records) : RecordText.of(invocation.get(), records));
    }
    return ExitCodes.OK;
  }
}
