package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.Main;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Output;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.DaemonInfo;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.NewInvocation;
import io.fleetrun.store.PendingRequest;
import io.fleetrun.store.RequestAnswer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code run --wait}'s progress and {@code invocations}' record counts, on a real database whose
 * records change while the CLI reads it. The test plays the daemon: a heartbeat, the request
 * claimed and answered through the real control channel, records written and ended through the
 * real store. Stderr is a StringWriter, not a terminal, so progress comes as plain lines.
 */
class RunProgressTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String LINE =
      "p-1: \\d+/\\d+ finished, \\d+ failed, \\d+ stopped, \\d+ running, \\d+ pending, \\d+s elapsed";

  @TempDir Path dir;
  private Path configFile;
  private Database db;
  private JooqControlChannel channel;
  private JooqInvocationStore store;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void setUp() throws IOException {
    Path dbFile = dir.resolve("fleetrun.db");
    configFile = dir.resolve("fleetrun.yaml");
    Files.writeString(configFile, "database: { url: \"jdbc:sqlite:%s\" }\n".formatted(dbFile));
    db = Database.open("jdbc:sqlite:" + dbFile);
    channel = new JooqControlChannel(db);
    store = new JooqInvocationStore(db, new StatusCalculator());
    channel.heartbeat(new DaemonInfo("d", 1, "localhost", "test", configFile.toString(), Instant.now()),
        Instant.now());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void runWaitPrintsPlainProgressLinesWithTheChangingCountsThenTheFinalTable() throws Exception {
    CompletableFuture<Integer> cli = start("run", "--command", "hi", "--instances", "web-1,web-2,web-3",
        "--wait", "--wait-timeout", "60s", "--progress-every", "100ms");
    InvokeId id = answerWithNewInvocation("p-1", "web-1", "web-2", "web-3");

    List<RecordId> records = Arrays.stream(new String[] {"web-1", "web-2", "web-3"})
        .map(i -> store.startRecord(id, new InstanceId(i), Instant.now())).toList();
    awaitErr("0/3 finished, 0 failed, 0 stopped, 0 running, 3 pending");
    store.markRecordRunning(records.get(0), 4242);
    awaitErr("0/3 finished, 0 failed, 0 stopped, 1 running, 2 pending");
    store.endRecord(records.get(0), finished());
    store.endRecord(records.get(1), timedOut());
    awaitErr("1/3 finished, 1 failed, 0 stopped, 0 running, 1 pending");
    store.endRecord(records.get(2), finished());

    assertThat(cli.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ExitCodes.NOT_SUCCESSFUL);
    assertThat(text(out)).isEqualTo("p-1\n");
    JdbcInvocationQueries queries = new JdbcInvocationQueries(db);
    String table = RecordText.of(queries.findInvocation(id).orElseThrow(), queries.listRecords(id, Optional.empty()));
    String err = text(this.err);
    assertThat(err).endsWith(table).doesNotContain("\r").doesNotContain("\u001b");
    assertThat(err.substring(0, err.length() - table.length()).split("\n"))
        .as("plain progress lines, then the table as without progress")
        .allMatch(line -> line.matches(LINE));
  }

  @Test
  void runWaitWithJsonPrintsOnlyJsonAndNoProgress() throws Exception {
    CompletableFuture<Integer> cli = start("run", "--command", "hi", "--instances", "web-1,web-2",
        "--wait", "--wait-timeout", "60s", "--json", "--progress-every", "100ms");
    InvokeId id = answerWithNewInvocation("p-1", "web-1", "web-2");
    RecordId first = store.startRecord(id, new InstanceId("web-1"), Instant.now());
    RecordId second = store.startRecord(id, new InstanceId("web-2"), Instant.now());
    // A chance to show progress: in this second the run without --json above prints ~10 lines.
    Thread.sleep(1000);
    store.endRecord(first, finished());
    store.endRecord(second, finished());

    assertThat(cli.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
    assertThat(text(err)).isEmpty();
    JsonNode json = new ObjectMapper().readTree(text(out));
    assertThat(json.get("invoke_id").asText()).isEqualTo("p-1");
    assertThat(json.get("records")).hasSize(2);
  }

  @Test
  void invocationsShowsTheRecordCountsOfEachInvocation() throws Exception {
    InvokeId a = create("a-1", Instant.now().minusSeconds(10), "web-1", "web-2", "web-3");
    RecordId a1 = store.startRecord(a, new InstanceId("web-1"), Instant.now());
    RecordId a2 = store.startRecord(a, new InstanceId("web-2"), Instant.now());
    store.startRecord(a, new InstanceId("web-3"), Instant.now());
    store.endRecord(a1, finished());
    store.endRecord(a2, timedOut());
    InvokeId b = create("b-1", Instant.now(), "web-1", "web-2");
    RecordId b1 = store.startRecord(b, new InstanceId("web-1"), Instant.now());
    store.startRecord(b, new InstanceId("web-2"), Instant.now());
    store.markRecordRunning(b1, 4242);
    create("c-1", Instant.now().minusSeconds(20), "web-1");

    assertThat(run("invocations")).isEqualTo(ExitCodes.OK);
    assertThat(text(out).lines())
        .anyMatch(l -> l.startsWith("b-1 ") && l.contains(" 0/2 finished, 0 failed, 0 stopped, 1 running, 1 pending "))
        .anyMatch(l -> l.startsWith("a-1 ") && l.contains(" 1/3 finished, 1 failed, 0 stopped, 0 running, 1 pending "))
        .anyMatch(l -> l.startsWith("c-1 ") && l.contains(" 0/0 finished, 0 failed, 0 stopped, 0 running, 0 pending "));

    out.getBuffer().setLength(0);
    assertThat(run("invocations", "--json")).isEqualTo(ExitCodes.OK);
    JsonNode json = new ObjectMapper().readTree(text(out));
    assertThat(json.get(1).get("invoke_id").asText()).isEqualTo("a-1");
    assertThat(new ObjectMapper().convertValue(json.get(1).get("record_counts"), Map.class))
        .isEqualTo(Map.of("total", 3, "finished", 1, "failed", 1, "stopped", 0, "running", 0, "pending", 1));
  }

  private InvokeId answerWithNewInvocation(String invokeId, String... instances) {
    PendingRequest request = claimOne();
    InvokeId id = create(invokeId, Instant.now(), instances);
    channel.complete(request.id(), new RequestAnswer.Done(id), Instant.now());
    return id;
  }

  private InvokeId create(String invokeId, Instant at, String... instances) {
    InvokeId id = new InvokeId(invokeId);
    store.createInvocation(new NewInvocation(id, Optional.empty(), new CommandId("hi"), "echo hi",
        Map.of(), RepeatMode.Once, Optional.empty(),
        Arrays.stream(instances).map(InstanceId::new).toList(), at));
    return id;
  }

  private static RecordEnd finished() {
    return new RecordEnd(RecordStatus.Finished, DetailStatus.Success, Optional.of(0), Optional.empty(),
        Optional.empty(), new Output("hi\n", 0), Instant.now());
  }

  private static RecordEnd timedOut() {
    return new RecordEnd(RecordStatus.Failed, DetailStatus.Timeout, Optional.empty(),
        Optional.of(ErrorCode.ExecutionTimeout), Optional.of("timed out after 60s"), Output.EMPTY, Instant.now());
  }

  private PendingRequest claimOne() {
    return until("the CLI sends its request", () -> channel.claimPending(Instant.now()).stream().findFirst());
  }

  private void awaitErr(String text) {
    try {
      until("stderr shows '" + text + "'", () -> Optional.of(text).filter(t -> err.toString().contains(t)));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; it has:\n" + err, e);
    }
  }

  /** Polls {@code what} until it is present, for at most {@link #WAIT}. */
  private static <T> T until(String why, Supplier<Optional<T>> what) {
    Instant deadline = Instant.now().plus(WAIT);
    while (Instant.now().isBefore(deadline)) {
      Optional<T> value = what.get();
      if (value.isPresent()) {
        return value.get();
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + why, e);
      }
    }
    throw new AssertionError("not within " + WAIT + ": " + why);
  }

  private CompletableFuture<Integer> start(String... args) {
    return CompletableFuture.supplyAsync(() -> run(args));
  }

  private int run(String... args) {
    String[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--config";
    all[args.length + 1] = configFile.toString();
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(all);
  }

  private static String text(StringWriter w) {
    return w.toString().replace(System.lineSeparator(), "\n");
  }
}
