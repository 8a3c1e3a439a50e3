package io.fleetrun.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.exec.ExecutorTuning;
import io.fleetrun.exec.MinaSshExecutor;
import io.fleetrun.model.Command;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Limits;
import io.fleetrun.model.ParameterRule;
import io.fleetrun.model.ParameterType;
import io.fleetrun.model.SshSettings;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.Database;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.JooqInvocationStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fleetrun run --param}: names the command does not use are refused, as in config. */
class AdHocParametersTest {
  @TempDir Path dir;
  private MinaSshExecutor executor;
  private Database db;
  private Invoker invoker;

  @BeforeEach
  void start() {
    SshSettings ssh =
        new SshSettings(
            "fleet",
            Optional.empty(),
            dir.resolve("known_hosts"),
            HostKeyPolicy.STRICT,
            Duration.ofSeconds(5),
            SshSettings.DEFAULT_KEY_EXCHANGES);
    executor =
        new MinaSshExecutor(
            ssh, Limits.defaults(), Clock.systemUTC(), new ExecutorTuning(Duration.ofMillis(500), 50));
    db = Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db"));
    Command disk =
        new Command(
            new CommandId("disk"),
            "df -h {{mount}} {{flags}}; echo {{fleetrun.instanceId}}",
            Optional.empty(),
            Duration.ofSeconds(20),
            Map.of("flags", "-P"));
    Command count =
        new Command(
            new CommandId("count"),
            "echo $(( {{n}} + 1 ))",
            Optional.empty(),
            Duration.ofSeconds(20),
            Map.of(),
            Map.of("n", new ParameterRule(ParameterType.INTEGER, Optional.empty())));
    // never contacted: every request here is refused before anything runs
    Instance web =
        new Instance(
            new InstanceId("web-1"), "127.0.0.1", 1, "fleet", Optional.empty(), Optional.empty(), Set.of());
    invoker =
        new Invoker(
            new JooqInvocationStore(db, new StatusCalculator()),
            new JdbcInvocationQueries(db),
            executor,
            new Fleet(List.of(web), List.of(disk, count), List.of()),
            Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    invoker.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    executor.close();
    db.close();
  }

  @Test
  void parameterTheCommandDoesNotUseIsRefusedNamingItAndThePlaceholders() {
    assertThatThrownBy(() -> invoker.runAdHoc(run(Map.of("mount", "/", "mout", "/x"))))
        .isInstanceOf(InvocationRefusedException.class)
        .hasMessage(
            "command 'disk' does not use parameter {{mout}}; its placeholders are {{mount}},"
                + " {{flags}}, {{fleetrun.instanceId}}");
    assertThat(invocations()).isZero();
  }

  @Test
  void missingValueIsStillRefused() {
    assertThatThrownBy(() -> invoker.runAdHoc(run(Map.of("flags", "-h"))))
        .isInstanceOf(InvocationRefusedException.class)
        .hasMessage("command 'disk' needs a value for {{mount}}");
    assertThat(invocations()).isZero();
  }

  @Test
  void valueItsParameterRefusesIsRefusedNamingTheParameterAndNothingRuns() {
    ControlRequest.Run hostile =
        new ControlRequest.Run(
            new CommandId("count"),
            List.of(new InstanceId("web-1")),
            Set.of(),
            Map.of("n", "a[$(touch /tmp/x)]"));

    assertThatThrownBy(() -> invoker.runAdHoc(hostile))
        .isInstanceOf(InvocationRefusedException.class)
        .hasMessage(
            "command 'count': parameter 'n' is declared `type: integer` and must match"
                + " -?[0-9]{1,18} (digits, an optional leading '-', no spaces), got"
                + " 'a[$(touch /tmp/x)]'");
    assertThat(invocations()).isZero();
  }

  private static ControlRequest.Run run(Map<String, String> parameters) {
    return new ControlRequest.Run(
        new CommandId("disk"), List.of(new InstanceId("web-1")), Set.of(), parameters);
  }

  private int invocations() {
    return ((Number) db.dsl().fetchValue("SELECT count(*) FROM invocation")).intValue();
  }
}
