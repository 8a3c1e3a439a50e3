package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.Output;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.CliRequests;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.NewInvocation;
import io.fleetrun.store.ReadOnlyDatabase;
import io.fleetrun.testing.PostgresServer;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reading CLI commands on PostgreSQL print what they print on SQLite for the same data
 * (written by the store, no daemon needed), and a database password that cannot be read is a
 * clear config error that never shows the secret. The test server trusts 127.0.0.1, so it takes
 * any password: a wrong one cannot be tested here, only one that cannot be read.
 */
class CliOnPostgresqlTest {
  private static final Instant T0 = Instant.parse("2026-11-28T07:10:03.123Z");
  private static final String PASSWORD = "s3cr3t-db-pw";

  @TempDir Path dir;

  @BeforeAll
  static void server() {
    PostgresServer.requireAvailable();
  }

  @Test
  void invocationsResultsAndStatusPrintTheSameAsOnSqlite() throws Exception {
    try (StoreBackend.Place sqlite = StoreBackend.SQLITE.newPlace(dir);
        StoreBackend.Place pg = StoreBackend.POSTGRESQL.newPlace(dir)) {
      Path sqliteConfig = config(dir.resolve("sqlite.yaml"), "database: { url: \"" + sqlite.url() + "\" }");
      Path pgConfig = config(dir.resolve("pg.yaml"), "database: { url: \"" + pg.url() + "\", user: postgres,"
          + " password: { file: \"" + privateFile(dir.resolve("db-password"), PASSWORD) + "\" } }");
      fill(sqlite);
      fill(pg);

      List<List<String>> commands = List.of(
          List.of("invocations"), List.of("invocations", "--json"), List.of("invocations", "--status", "Running"),
          List.of("invocations", "--job", "nightly", "--limit", "1"),
          List.of("results", "t-2"), List.of("results", "t-2", "--json"), List.of("results", "t-3", "--limit", "2"),
          List.of("results", "t-3", "--instance", "b", "--json"), List.of("results", "t-none"),
          List.of("status"), List.of("status", "--json"));
      for (List<String> command : commands) {
        String[] args = command.toArray(String[]::new);
        CliRun onSqlite = CliRun.withConfig(sqliteConfig, args);
        CliRun onPg = CliRun.withConfig(pgConfig, args);

        assertThat(onPg.exit()).as(String.join(" ", command)).isEqualTo(onSqlite.exit());
        assertThat(comparable(onPg.out(), pg.url())).as(String.join(" ", command))
            .isEqualTo(comparable(onSqlite.out(), sqlite.url()));
        assertThat(comparable(onPg.err(), pg.url())).as(String.join(" ", command))
            .isEqualTo(comparable(onSqlite.err(), sqlite.url()));
        assertThat(onPg.out() + onPg.err()).doesNotContain(PASSWORD);
      }
      assertThat(CliRun.withConfig(pgConfig, "invocations").out()).contains("t-3").contains("t-2").contains("t-1");
      assertThat(CliRun.withConfig(pgConfig, "status").out())
          .contains("running records: 3 (1 started, 2 waiting to start)").contains("pending CLI requests: 1");

      // The status report itself, at one instant, with nothing masked: this host's now, as the
      // heartbeat's age on PostgreSQL is the database's clock's (this host's clock too).
      Instant now = Instant.now();
      try (ReadOnlyDatabase a = ReadOnlyDatabase.openExisting(sqlite.settings());
          ReadOnlyDatabase b = ReadOnlyDatabase.openExisting(pg.settings())) {
        assertThat(StatusText.text(StatusCommand.read(b, now)).replace(pg.url(), "DB"))
            .isEqualTo(StatusText.text(StatusCommand.read(a, now)).replace(sqlite.url(), "DB"));
      }
    }
  }

  @Test
  void aPasswordThatCannotBeReadIsAConfigErrorThatNamesWhereItWasLookedFor() throws Exception {
    try (StoreBackend.Place pg = StoreBackend.POSTGRESQL.newPlace(dir)) {
      Database.open(pg.settings()).close();
      Path unset = config(dir.resolve("unset.yaml"), "database: { url: \"" + pg.url() + "\", user: postgres,"
          + " password: { env: FLEETRUN_TEST_UNSET_DB_PASSWORD } }");
      for (String command : List.of("invocations", "results", "status", "stop")) {
        String[] args = switch (command) {
          case "results" -> new String[] {"results", "t-1"};
          case "stop" -> new String[] {"stop", "t-1"};
          default -> new String[] {command};
        };
        CliRun run = CliRun.withConfig(unset, args);

        assertThat(run.exit()).as(command).isEqualTo(ExitCodes.CONFIG);
        assertThat(run.err()).as(command).contains("cannot read database.password for the database at " + pg.url()
            + ": environment variable FLEETRUN_TEST_UNSET_DB_PASSWORD is not set");
      }

      Path file = dir.resolve("readable-password");
      Files.writeString(file, PASSWORD + "\n");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      Path open = config(dir.resolve("open.yaml"), "database: { url: \"" + pg.url() + "\", user: postgres,"
          + " password: { file: \"" + file + "\" } }");
      CliRun run = CliRun.withConfig(open, "invocations");
      assertThat(run.exit()).isEqualTo(ExitCodes.CONFIG);
      assertThat(run.err()).contains(file.toString());
      assertThat(run.out() + run.err()).doesNotContain(PASSWORD);
    }
  }

  /**
   * t-1 Finished (job nightly), t-2 PartialFailed (ad hoc), t-3 Running (periodic job disk: one
   * record running, two waiting, two ended earlier), a pending CLI request and an old heartbeat.
   */
  private static void fill(StoreBackend.Place place) throws Exception {
    try (Database db = Database.open(place.settings())) {
      JooqInvocationStore store = new JooqInvocationStore(db, new StatusCalculator());
      once(store, "t-1", Optional.of("nightly"), 0, RecordStatus.Finished, RecordStatus.Finished);
      once(store, "t-2", Optional.empty(), 60, RecordStatus.Finished, RecordStatus.Failed);
      InvokeId periodic = new InvokeId("t-3");
      store.createInvocation(new NewInvocation(periodic, Optional.of(new JobId("disk")), new CommandId("df"), "df -h",
          Map.of(), RepeatMode.Period, Optional.of(new Frequency.Rate(Duration.ofSeconds(30))),
          List.of(new InstanceId("a"), new InstanceId("b"), new InstanceId("c")), T0.plusSeconds(120)));
      for (String instance : List.of("a", "b")) {
        RecordId done = store.startRecord(periodic, new InstanceId(instance), T0.plusSeconds(120));
        store.endRecord(done, end(RecordStatus.Finished, T0.plusSeconds(121)));
      }
      RecordId running = store.startRecord(periodic, new InstanceId("a"), T0.plusSeconds(150));
      store.markRecordRunning(running, 4242, java.util.OptionalLong.empty());
      for (String instance : List.of("b", "c")) {
        RecordId waiting = store.startRecord(periodic, new InstanceId(instance), T0.plusSeconds(150));
        db.dsl().execute("UPDATE invocation_record SET start_time = NULL WHERE record_id = ?", waiting.value());
      }
      db.dsl().execute("INSERT INTO daemon_heartbeat (node_id, pid, host, version, config_file, started_at, beat_at)"
          + " VALUES ('node-1', 77, 'fleet-host', '1.0', '/etc/fleetrun.yaml', ?, ?)",
          T0.toString(), T0.plusSeconds(200).toString());
    }
    try (CliRequests requests = CliRequests.openExisting(place.settings())) {
      requests.submit(new ControlRequest.Stop(new InvokeId("t-3"), Set.of(new InstanceId("a"))), T0.plusSeconds(210));
    }
  }

  private static void once(JooqInvocationStore store, String id, Optional<String> job, long at, RecordStatus... ends) {
    List<String> instances = List.of("a", "b", "c").subList(0, ends.length);
    store.createInvocation(new NewInvocation(new InvokeId(id), job.map(JobId::new), new CommandId("uptime"),
        "uptime {{flag}}", Map.of("flag", "-p"), RepeatMode.Once, Optional.empty(),
        instances.stream().map(InstanceId::new).toList(), T0.plusSeconds(at)));
    for (int i = 0; i < ends.length; i++) {
      RecordId r = store.startRecord(new InvokeId(id), new InstanceId(instances.get(i)), T0.plusSeconds(at));
      store.endRecord(r, end(ends[i], T0.plusSeconds(at + 1)));
    }
  }

  private static RecordEnd end(RecordStatus status, Instant at) {
    return status == RecordStatus.Finished
        ? new RecordEnd(status, DetailStatus.Success, Optional.of(0), Optional.empty(), Optional.empty(),
            new Output("ok\n", 0), at)
        : new RecordEnd(status, DetailStatus.Timeout, Optional.empty(), Optional.of(ErrorCode.ExecutionTimeout),
            Optional.of("timed out after 60s"), new Output("partial\n", 12), at);
  }

  /** {@code text} with the database named alike and the ages (which move with the clock) masked. */
  private static String comparable(String text, String url) {
    return text.replace(url, "DB").replaceAll("\\d+d \\d+h", "AGE").replaceAll("\"[a-z_]*(age|uptime)[a-z_]*\" ?: ?\\d+", "AGE");
  }

  private static Path config(Path file, String database) throws Exception {
    Files.writeString(file, database + "\n");
    return file;
  }

  private static Path privateFile(Path file, String content) throws Exception {
    Files.writeString(file, content + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
