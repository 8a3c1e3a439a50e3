package io.fleetrun.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetrun.model.DatabaseSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon's HikariCP pools of PostgreSQL connections ({@link Database}'s main and control pools). */
final class PostgresqlPool {
  /** How long a PostgreSQL session may sit idle inside a transaction before the server ends it. */
  static final Duration IDLE_IN_TRANSACTION = Duration.ofSeconds(10);

  private PostgresqlPool() {}

  /**
   * A pool of {@code size} connections to a PostgreSQL database. Each new connection reads the
   * password again ({@link PostgresqlSource}), so a password rotated in its file is used from the
   * next connection on, while open connections go on working; the pool's configuration never
   * holds it. A password that cannot be read, at open, fails with where it was looked for, never
   * a value. Transactions run READ COMMITTED (PostgreSQL's default); what must hold across
   * daemons is a constraint or a row lock, not an isolation level.
   */
  static HikariDataSource open(
      DatabaseSettings settings, String name, int size, Function<String, String> environment) {
    routeDriverLog();
    Properties options = new Properties();
    options.setProperty("ApplicationName", "fleetrun");
    // A dead server or a cut network must not hang a thread forever on a socket read.
    options.setProperty("tcpKeepAlive", "true");
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setDataSource(new PostgresqlSource(settings, environment, options));
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(Math.min(2, size));
    config.setConnectionTimeout(Database.CONNECTION_TIMEOUT.toMillis());
    // A server that is down fails the open at once with the driver's reason, not after 30 s.
    config.setInitializationFailTimeout(1);
    // A node that stalls in the middle of a transaction (a paused VM, a stopped process) holds
    // its row locks until it wakes: the server ends such a session after this, well inside the
    // failover window, so the survivors' take-over and request claims are not held up by it.
    // Every fleetrun transaction is a few statements with no wait between them.
    config.setConnectionInitSql("SET idle_in_transaction_session_timeout = '"
        + IDLE_IN_TRANSACTION.toMillis() + "ms'");
    try {
      return new HikariDataSource(config);
    } catch (RuntimeException e) {
      Optional<PostgresqlSource.PasswordUnavailableException> unreadable =
          causeOf(e, PostgresqlSource.PasswordUnavailableException.class);
      if (unreadable.isPresent()) {
        throw new IllegalStateException("cannot read database.password: " + unreadable.get().getMessage(), e);
      }
      throw new IllegalStateException(
          "cannot connect to the database " + DatabaseSettings.redacted(settings.url()) + ": "
              + PostgresqlDriverLog.redact(rootMessage(e)), e);
    }
  }

  /**
   * The PostgreSQL driver's log (java.util.logging) into this daemon's log, under the driver's
   * logger names, with its URLs cut before their query ({@link PostgresqlDriverLog}).
   */
  private static void routeDriverLog() {
    java.util.logging.Level level =
        LoggerFactory.getLogger("org.postgresql").isDebugEnabled()
            ? java.util.logging.Level.FINE
            : java.util.logging.Level.INFO;
    PostgresqlDriverLog.route((severity, name, line) -> {
      Logger to = LoggerFactory.getLogger(name);
      int value = severity.intValue();
      if (value >= java.util.logging.Level.SEVERE.intValue()) {
        to.error("{}", line);
      } else if (value >= java.util.logging.Level.WARNING.intValue()) {
        to.warn("{}", line);
      } else if (value >= java.util.logging.Level.INFO.intValue()) {
        to.info("{}", line);
      } else {
        to.debug("{}", line);
      }
    }, level);
  }

  private static <T extends Throwable> Optional<T> causeOf(Throwable e, Class<T> type) {
    Throwable cause = e;
    for (int i = 0; i < 10 && cause != null; i++) {
      if (type.isInstance(cause)) {
        return Optional.of(type.cast(cause));
      }
      cause = cause.getCause();
    }
    return Optional.empty();
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    for (int i = 0; i < 10 && root.getCause() != null; i++) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
