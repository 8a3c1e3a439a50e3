package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.DetailStatus;
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
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.NewInvocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fleetrun results} shows a periodic invocation's records a page at a time, newest first. */
class ResultsPagingTest {
  private static final Instant T0 = Instant.parse("2026-11-28T07:10:03.123Z");

  @TempDir Path dir;
  private Path configFile;
  /** Record ids of repeats 1..7 of instance a. */
  private final List<Long> ids = new ArrayList<>();

  @BeforeEach
  void sevenRecords() throws Exception {
    Path dbFile = dir.resolve("fleetrun.db");
    configFile = dir.resolve("fleetrun.yaml");
    Files.writeString(configFile, "database: { url: \"jdbc:sqlite:%s\" }\n".formatted(dbFile));
    try (Database db = Database.open("jdbc:sqlite:" + dbFile)) {
      JooqInvocationStore store = new JooqInvocationStore(db, new StatusCalculator());
      store.createInvocation(new NewInvocation(new InvokeId("t-p"), Optional.of(new JobId("disk")),
          new CommandId("df"), "df -h", Map.of(), RepeatMode.Period,
          Optional.of(new Frequency.Rate(Duration.ofSeconds(30))), List.of(new InstanceId("a")), T0));
      for (int i = 1; i <= 7; i++) {
        Instant at = T0.plusSeconds(30L * i);
        RecordId id = store.startRecord(new InvokeId("t-p"), new InstanceId("a"), at);
        store.endRecord(id, new RecordEnd(RecordStatus.Finished, DetailStatus.Success, Optional.of(0),
            Optional.empty(), Optional.empty(), new Output("run " + i + "\n", 0), at.plusSeconds(1)));
        ids.add(id.value());
      }
    }
  }

  @Test
  void showsTheNewestPageAndSaysHowToSeeTheRest() {
    CliRun first = cli("results", "t-p", "--limit", "3");

    assertThat(first.exit()).isZero();
    assertThat(outputs(first.out())).containsExactly("run 7", "run 6", "run 5");
    assertThat(first.out()).endsWith("\n4 older record(s) not shown (newest first, 3 per page): next page with"
        + " --before " + ids.get(4) + ", all with --limit 0\n");

    CliRun second = cli("results", "t-p", "--limit", "3", "--before", String.valueOf(ids.get(4)));
    assertThat(outputs(second.out())).containsExactly("run 4", "run 3", "run 2");
    assertThat(second.out()).contains("1 older record(s) not shown");

    CliRun last = cli("results", "t-p", "--limit", "3", "--before", String.valueOf(ids.get(1)));
    assertThat(outputs(last.out())).containsExactly("run 1");
    assertThat(last.out()).doesNotContain("older record(s)");

    assertThat(outputs(cli("results", "t-p", "--limit", "0").out())).hasSize(7).startsWith("run 7");
    assertThat(outputs(cli("results", "t-p", "--instance", "a", "--limit", "2").out()))
        .containsExactly("run 7", "run 6");
  }

  @Test
  void jsonCarriesThePageAndWhereTheNextBegins() throws Exception {
    JsonNode page = new ObjectMapper().readTree(cli("results", "t-p", "--limit", "2", "--json").out());

    assertThat(page.get("records")).hasSize(2);
    assertThat(page.get("records").get(0).get("output").asText()).isEqualTo("run 7\n");
    assertThat(page.get("older_records").asLong()).isEqualTo(5);
    assertThat(page.get("next_before").asLong()).isEqualTo(ids.get(5));
    JsonNode all = new ObjectMapper().readTree(cli("results", "t-p", "--limit", "0", "--json").out());
    assertThat(all.get("older_records").asLong()).isZero();
    assertThat(all.get("next_before").isNull()).isTrue();
  }

  @Test
  void aNegativeLimitIsAUsageError() {
    CliRun bad = cli("results", "t-p", "--limit", "-1");

    assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("--limit must be 0 (all) or more, not -1");
  }

  private static List<String> outputs(String text) {
    return text.lines().filter(l -> l.startsWith("  | ")).map(l -> l.substring(4)).toList();
  }

  private CliRun cli(String... args) {
    return CliRun.withConfig(configFile, args);
  }
}
