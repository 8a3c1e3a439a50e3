package io.fleetrun.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetrun.model.Retention;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetentionConfigTest {
  private static final Path FILE = Path.of("/srv/fleetrun/fleetrun.yaml");
  private static final LoadContext CONTEXT = new LoadContext(FILE, Path.of("/home/ops"), "ops");

  @Test
  void withoutARetentionSectionEverythingIsKept() {
    FleetConfig config = ConfigLoader.parse(CONTEXT, "limits: { maxSessions: 5 }\n");

    assertThat(config.retention()).isEqualTo(Retention.keepEverything());
    assertThat(config.retention().recordsCutoff(Instant.EPOCH)).isEmpty();
  }

  @Test
  void recordsRetentionIsADuration() {
    FleetConfig config = ConfigLoader.parse(CONTEXT, "retention: { records: 30d }\n");

    assertThat(config.retention().records()).contains(Duration.ofDays(30));
    assertThat(config.retention().recordsCutoff(Instant.parse("2026-12-31T00:00:00Z")))
        .contains(Instant.parse("2026-12-01T00:00:00Z"));
  }

  @Test
  void minutesWhereMonthsWereMeantAreRefusedWithFileLineAndKey() {
    ConfigException e = problems("ssh: { user: root }\nretention:\n  records: 30m\n");

    assertThat(e.problems()).hasSize(1);
    ConfigProblem p = e.problems().get(0);
    assertThat(p.line()).isEqualTo(3);
    assertThat(p.key()).isEqualTo("retention.records");
    assertThat(p.message()).contains("at least 1h, got 30m");
    assertThat(e).hasMessageContaining(FILE + ":3:");
  }

  @Test
  void notADurationOrAnUnknownKeyIsReported() {
    ConfigException e = problems("retention: { records: forever, invocations: 2d }\n");

    assertThat(e.problems())
        .extracting(ConfigProblem::key)
        .containsExactlyInAnyOrder("retention.records", "retention.invocations");
    assertThat(e).hasMessageContaining("'forever' is not a duration");
  }

  private static ConfigException problems(String yaml) {
    return catchThrowableOfType(
        ConfigException.class, () -> ConfigLoader.parse(CONTEXT, yaml));
  }

  @Test
  void theOldConstructorKeepsEverything() {
    FleetConfig parsed = ConfigLoader.parse(CONTEXT, "");
    FleetConfig built =
        new FleetConfig(
            parsed.source(), parsed.databaseUrl(), parsed.ssh(), parsed.limits(), parsed.fleet());
    assertThat(built).isEqualTo(parsed);
    assertThat(Optional.of(built.retention())).contains(Retention.keepEverything());
  }
}
