package io.fleetrun.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetrun.model.Command;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.MisfirePolicy;
import io.fleetrun.model.OverlapPolicy;
import io.fleetrun.model.ParameterRule;
import io.fleetrun.model.ParameterType;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.SecretRef;
import io.fleetrun.model.Targets;
import io.fleetrun.model.Threshold;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /api/v1/instances}, {@code /commands} and {@code /jobs} over real HTTP: the fleet as
 * config has it, without where its secrets live, and the fleet of the moment (a reload sets it).
 * The next fire times Quartz keeps are checked with a real scheduler in DaemonHttpTest.
 */
class ConfigApiTest {
  private static ApiRig rig;
  private static Path dir;

  private static final Instance WEB = new Instance(new InstanceId("web-1"), "10.0.0.5", 2222, "deploy",
      Optional.of(Path.of("/etc/fleetrun/deploy_ed25519")), Optional.of(new SecretRef.Env("WEB1_PW")),
      Set.of("web", "prod"));
  private static final Instance DB = new Instance(new InstanceId("db-1"), "db.example", 22, "root",
      Optional.empty(), Optional.of(new SecretRef.File(Path.of("/etc/fleetrun/db.pw"))), Set.of());
  private static final Command DISK = new Command(new CommandId("disk"), "df -h -- {{mount}}",
      Optional.of("/tmp"), Duration.ofSeconds(90), Map.of("mount", "/"));
  private static final Command ROTATE = new Command(new CommandId("rotate"), "ls -1t | tail -n +$(( {{keep}} + 1 ))",
      Optional.empty(), Duration.ofSeconds(60), Map.of("keep", "5"),
      Map.of("keep", new ParameterRule(ParameterType.INTEGER, Optional.empty()),
          "tag", new ParameterRule(ParameterType.STRING, Optional.of("^[a-z]+$"))));
  private static final Job NIGHTLY = new Job(new JobId("nightly-disk"), new CommandId("disk"),
      new Targets(List.of(new InstanceId("db-1")), Set.of("web")), RepeatMode.Period,
      Optional.of(new Frequency.Cron("0 0 2 * * ?")), Map.of("mount", "/var"), MisfirePolicy.SKIP,
      OverlapPolicy.ALLOW, new ConcurrencyControls(Optional.of(Threshold.parse("25%")), Optional.of(Threshold.count(0))));
  private static final Job ONCE = new Job(new JobId("once"), new CommandId("rotate"),
      new Targets(List.of(new InstanceId("web-1")), Set.of()), RepeatMode.Once, Optional.empty(), Map.of());

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("config-api");
    rig = new ApiRig(StoreBackend.SQLITE, dir);
    rig.fleet.set(new Fleet(List.of(WEB, DB), List.of(DISK, ROTATE), List.of(NIGHTLY, ONCE)));
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  @Test
  void instancesAreListedInConfigOrderWithoutWhereTheirSecretsLive() {
    ApiRig.Answer answer = rig.read("/api/v1/instances");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().toString()).isEqualTo("{\"instances\":["
        + "{\"instanceId\":\"web-1\",\"host\":\"10.0.0.5\",\"port\":2222,\"user\":\"deploy\",\"tags\":[\"prod\",\"web\"]},"
        + "{\"instanceId\":\"db-1\",\"host\":\"db.example\",\"port\":22,\"user\":\"root\",\"tags\":[]}]}");
    assertThat(answer.body()).doesNotContain("deploy_ed25519", "WEB1_PW", "db.pw");
  }

  @Test
  void commandsShowTheirParametersWithTypeDefaultAndPattern() {
    JsonNode commands = rig.read("/api/v1/commands").json().path("commands");
    assertThat(commands).hasSize(2);
    assertThat(commands.get(0).toString()).isEqualTo("{\"commandId\":\"disk\",\"content\":\"df -h -- {{mount}}\","
        + "\"workingDir\":\"/tmp\",\"timeout\":\"90s\","
        + "\"parameters\":{\"mount\":{\"type\":\"string\",\"default\":\"/\",\"pattern\":null}}}");
    JsonNode rotate = commands.get(1);
    assertThat(rotate.path("workingDir").isNull()).isTrue();
    assertThat(rotate.path("timeout").asText()).isEqualTo("1m"); // as DurationText writes 60s
    assertThat(rotate.path("parameters").toString()).isEqualTo(
        "{\"keep\":{\"type\":\"integer\",\"default\":\"5\",\"pattern\":null},"
            + "\"tag\":{\"type\":\"string\",\"default\":null,\"pattern\":\"^[a-z]+$\"}}");
  }

  @Test
  void jobsShowTheirScheduleAndPolicies() {
    JsonNode jobs = rig.read("/api/v1/jobs").json().path("jobs");
    assertThat(jobs.get(0).toString()).isEqualTo("{\"jobId\":\"nightly-disk\",\"commandId\":\"disk\","
        + "\"targets\":{\"instances\":[\"db-1\"],\"tags\":[\"web\"]},\"repeatMode\":\"Period\","
        + "\"frequency\":\"0 0 2 * * ?\",\"parameters\":{\"mount\":\"/var\"},\"misfire\":\"skip\","
        + "\"overlap\":\"allow\",\"maxConcurrency\":\"25%\",\"maxErrors\":\"0\",\"nextFireTime\":null}");
    JsonNode once = jobs.get(1);
    assertThat(once.path("repeatMode").asText()).isEqualTo("Once");
    assertThat(once.path("frequency").isNull()).isTrue();
    assertThat(once.path("maxConcurrency").isNull()).isTrue();
    assertThat(once.path("nextFireTime").isNull()).isTrue(); // no trigger in this database
  }

  @Test
  void theFleetShownIsTheOneInForceAtTheRequest() {
    Fleet before = rig.fleet.get();
    try {
      rig.fleet.set(new Fleet(List.of(DB), List.of(DISK), List.of()));
      assertThat(rig.read("/api/v1/instances").json().path("instances").findValuesAsText("instanceId"))
          .containsExactly("db-1");
      assertThat(rig.read("/api/v1/jobs").body()).isEqualTo("{\"jobs\":[]}");
    } finally {
      rig.fleet.set(before);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"instances", "commands", "jobs"})
  void aReaderTokenIsNeededAndNoQueryParameterIsTaken(String what) {
    assertThat(rig.get("/api/v1/" + what, null).status()).isEqualTo(401);
    assertThat(rig.get("/api/v1/" + what, "Bearer " + ApiRig.OPERATOR).status()).isEqualTo(200);
    ApiRig.Answer refused = rig.read("/api/v1/" + what + "?maxResults=5");
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.code()).isEqualTo("InvalidParameter.maxResults");
    assertThat(refused.json().path("message").asText()).contains("takes no query parameters");
  }
}
