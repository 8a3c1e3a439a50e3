package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.testing.LogLines;
import io.fleetrun.testing.PostgresServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL driver logs through java.util.logging. Its warnings reach the daemon's log (not
 * JUL's console handler), and neither they nor fleetrun's messages show a URL's query. The URL
 * here has a path config accepts and the driver refuses ("too many /"), which the driver logs
 * with the whole URL; its query holds a marker that must not come out. No server is reached:
 * the driver refuses the URL before it connects.
 */
class PostgresqlDriverLogTest {
  private static final String MARKER = "qmarker42";
  private static final String URL =
      "jdbc:postgresql://" + PostgresServer.server() + "/fleetrun_none/extra?ApplicationName=" + MARKER;

  @Test
  void theDaemonLogsTheDriversWarningsInItsLogWithoutTheQuery() {
    List<LogRecord> toJul = new CopyOnWriteArrayList<>();
    Handler julRoot = new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLoggerName() != null && record.getLoggerName().startsWith("org.postgresql")) {
          toJul.add(record);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger.getLogger("").addHandler(julRoot);
    try (LogLines lines = LogLines.of("org.postgresql")) {
      assertThatThrownBy(() -> Database.open(DatabaseSettings.of(URL)).close())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("cannot connect to the database " + DatabaseSettings.redacted(URL) + ": ")
          .message().doesNotContain(MARKER);

      assertThat(lines.containing("too many /"))
          .as("the driver's warning, in the daemon's log")
          .containsExactly("WARN JDBC URL contains too many / characters: " + DatabaseSettings.redacted(URL));
      assertThat(toJul).as("nothing of the driver's reaches JUL's own handlers").isEmpty();
    } finally {
      Logger.getLogger("").removeHandler(julRoot);
    }
  }

  @Test
  void theCliNamesTheDriversRefusalWithoutTheQuery() {
    assertThatThrownBy(() -> ReadOnlyDatabase.openExisting(URL))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("cannot open the database at " + DatabaseSettings.redacted(URL) + ": ")
        .message().doesNotContain(MARKER);
  }

  @Test
  void redactsEveryPostgresqlUrlInALine() {
    assertThat(PostgresqlDriverLog.redact(
            "a jdbc:postgresql://h/db?sslkey=/k and 'jdbc:postgresql://g/x?ssl=true' and jdbc:postgresql://i/y"))
        .isEqualTo("a jdbc:postgresql://h/db?... and 'jdbc:postgresql://g/x?...' and jdbc:postgresql://i/y");
  }
}
