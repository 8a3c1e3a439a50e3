package io.fleetrun.demo;

import io.fleetrun.config.ConfigLoader;
import io.fleetrun.daemon.Daemon;
import io.fleetrun.daemon.StopSignal;
import io.fleetrun.model.DurationText;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.store.InvocationFilter;
import io.fleetrun.store.InvocationSummary;
import io.fleetrun.store.JdbcInvocationQueries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fleetrun demo}: the daemon against an embedded SSH server, with a demo config. */
@Command(name = "demo", description = "Start an embedded SSH server on 127.0.0.1 and a daemon with a demo config; Ctrl-C ends it.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--dir", paramLabel = "DIR", description = "Folder for the demo's keys, config and database (default: data/demo of the install; emptied first, so it must be new, empty or an earlier demo's).")
  Path dir;

  @Option(names = "--duration", paramLabel = "DURATION", description = "End by itself after this long, like 30s (default: run until Ctrl-C).")
  String duration;

  @Override
  public Integer call() throws Exception {
    Path home = Path.of(System.getProperty("fleetrun.home", ".")).toAbsolutePath();
    Path demoDir = (dir != null ? dir : home.resolve("data/demo")).toAbsolutePath();
    // Parsed first, so a typo in --duration leaves the folder alone.
    Optional<Duration> limit = Optional.ofNullable(duration).map(DurationText::parse);
    DemoFolder.prepare(demoDir);
    StopSignal stop = StopSignal.install();
    try (EmbeddedSshServer server = EmbeddedSshServer.start(demoDir.resolve("ssh"))) {
      Path db = demoDir.resolve("fleetrun.db");
      Path token = DemoFolder.writeToken(demoDir.resolve("api-token"));
      // The console's link carries an operator token, so a newcomer can try Stop too.
      Path operatorToken = DemoFolder.writeToken(demoDir.resolve("operator-token"));
      int httpPort = DemoFolder.httpPort();
      Path config = DemoConfig.write(demoDir, db, server, httpPort, token, operatorToken);
      try (Daemon daemon = Daemon.start(ConfigLoader.load(config), Clock.systemUTC(),
          new Daemon.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5), "fleetrun-demo", Duration.ofMillis(250)))) {
        printIntro(server, config, db);
        int port = daemon.httpPort().orElseThrow();
        System.out.printf("""
            HTTP API on 127.0.0.1:%d (reader token in %s):
              curl -s -H "Authorization: Bearer $(cat %s)" http://127.0.0.1:%d/api/v1/invocations
              curl -s -H "Authorization: Bearer $(cat %s)" http://127.0.0.1:%d/metrics
            Web console (operator token in %s; open the link, the token stays in the browser tab):
              console: http://127.0.0.1:%d/#token=%s
            %n""", port, token, token, port, token, port, operatorToken, port,
            Files.readString(operatorToken).strip());
        JdbcInvocationQueries queries = new JdbcInvocationQueries(daemon.database());
        Instant end = limit.map(Instant.now()::plus).orElse(Instant.MAX);
        String last = "";
        while (Instant.now().isBefore(end) && !stop.await(Duration.ofSeconds(1))) {
          String table = summary(queries);
          if (!table.equals(last)) {
            System.out.println(table);
            last = table;
          }
        }
      }
      System.out.println("demo ended; the database stays at " + db);
    }
    return 0;
  }

  private static void printIntro(EmbeddedSshServer server, Path config, Path db) {
    System.out.printf("""
        fleetrun demo: embedded SSH server on 127.0.0.1:%d (real /bin/sh behind it), 3 instances
          config:   %s
          database: %s
        Jobs: hello (one-time, 3 instances), partial (one-time, demo-3 times out -> PartialFailed),
              tick (periodic, rate(5s)). Try in another terminal:
          sqlite3 %s "SELECT invoke_id, job_id, repeat_mode, status, created_at FROM invocation ORDER BY created_at DESC;"
          sqlite3 %s "SELECT instance_id, repeat_no, status, detail_status, exit_code, error_code, output FROM invocation_record ORDER BY record_id DESC LIMIT 10;"
          bin/fleetrun invocations --config %s
        Ctrl-C ends the demo.
        %n""", server.port(), config, db, db, db, config);
  }

  private static String summary(JdbcInvocationQueries queries) {
    List<InvocationSummary> rows = queries.listInvocations(new InvocationFilter(Optional.empty(), Optional.empty(), Optional.empty(), 10));
    StringBuilder out = new StringBuilder("-- invocations --\n");
    for (InvocationSummary s : rows.stream().sorted(Comparator.comparing(r -> r.invocation().createdAt())).toList()) {
      var i = s.invocation();
      out.append(String.format("%-16s %-8s %-6s %-13s instances: finished=%d failed=%d running=%d%n",
          i.id(), i.job().map(Object::toString).orElse("-"), i.repeat(), i.status(),
          s.instanceCounts().getOrDefault(RecordStatus.Finished, 0), s.instanceCounts().getOrDefault(RecordStatus.Failed, 0),
          s.instanceCounts().getOrDefault(RecordStatus.Running, 0)));
    }
    return out.toString();
  }
}
