package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.exec.ExecutorTuning;
import io.fleetrun.exec.MinaSshExecutor;
import io.fleetrun.invoke.Invoker;
import io.fleetrun.model.Command;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Limits;
import io.fleetrun.model.SshSettings;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.Database;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.testing.LogLines;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's log line for a refused request, on a real SQLite database: the reason quotes the
 * request, which an API caller writes (a tag, a parameter value), so it must not be able to add
 * lines of its own to the daemon's log.
 */
class RequestHandlerLogTest {
  private static final Clock CLOCK = Clock.systemUTC();
  @TempDir Path dir;

  @Test
  void aRefusalQuotingALineBreakOfTheRequestIsLoggedOnOneLine() {
    Command disk = new Command(new CommandId("disk"), "df -h", Optional.empty(), Duration.ofSeconds(60), Map.of());
    SshSettings ssh = new SshSettings("fleet", Optional.empty(), dir.resolve("known_hosts"),
        HostKeyPolicy.STRICT, Duration.ofSeconds(5), SshSettings.DEFAULT_KEY_EXCHANGES);
    try (StoreBackend.Place place = StoreBackend.SQLITE.newPlace(dir);
        Database db = Database.open(place.settings());
        MinaSshExecutor executor = new MinaSshExecutor(ssh, Limits.defaults(), CLOCK,
            new ExecutorTuning(Duration.ofMillis(500), 50));
        LogLines log = LogLines.of(RequestHandler.class.getName())) {
      Invoker invoker = new Invoker(new JooqInvocationStore(db, new StatusCalculator(), "node-a"),
          new JdbcInvocationQueries(db), executor, new Fleet(List.of(), List.of(disk), List.of()), CLOCK);
      new JooqControlChannel(db).submit(new ControlRequest.Run(new CommandId("disk"), List.of(),
          Set.of("db\nERROR forged line\r"), Map.of(), ConcurrencyControls.NONE), CLOCK.instant());

      new RequestHandler(JooqControlChannel.onControlConnection(db, "node-a"), invoker, CLOCK).pollOnce();

      assertThat(log.containing("refused")).singleElement().asString()
          .contains("db\\u000aERROR forged line\\u000d").doesNotContain("\n").doesNotContain("\r");
      invoker.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }
  }
}
