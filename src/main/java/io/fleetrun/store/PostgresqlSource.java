package io.fleetrun.store;

import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.Secrets;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.util.Properties;
import java.util.function.Function;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Opens PostgreSQL connections as the role {@code database.user} names, with the password read
 * from {@code database.password} (environment or private file) anew for each connection: the
 * daemon's pools (HikariCP asks it for every new physical connection) and the CLI's one
 * connection. A password rotated in its file is therefore used by the next connection, while the
 * connections already open keep working. The password lives only in the driver's properties of
 * one {@link #getConnection()} call: no field, no pool configuration, no log holds it.
 */
final class PostgresqlSource implements DataSource {
  /** The password could not be read; the message names where it was looked for, never a value. */
  static final class PasswordUnavailableException extends SQLInvalidAuthorizationSpecException {
    private static final long serialVersionUID = 1L;

    PasswordUnavailableException(String message, Throwable cause) {
      super(message, "28000", cause);
    }
  }

  private final DatabaseSettings settings;
  private final Function<String, String> environment;
  private final Properties options;
  private volatile int loginTimeoutSeconds;

  /**
   * @param environment looks up the password's environment variable ({@code System::getenv}
   *     outside tests)
   * @param options driver properties of every connection (no user, no password)
   */
  PostgresqlSource(DatabaseSettings settings, Function<String, String> environment, Properties options) {
    if (!settings.isPostgresql()) {
      throw new IllegalArgumentException("not a PostgreSQL database: " + DatabaseSettings.schemeOf(settings.url()));
    }
    this.settings = settings;
    this.environment = environment;
    this.options = new Properties();
    this.options.putAll(options);
  }

  /**
   * A new connection, with the password read now.
   *
   * @throws PasswordUnavailableException when {@code database.password} cannot be read
   */
  @Override
  public Connection getConnection() throws SQLException {
    Properties properties = new Properties();
    properties.putAll(options);
    settings.user().ifPresent(user -> properties.setProperty("user", user));
    if (loginTimeoutSeconds > 0 && !properties.containsKey("loginTimeout")) {
      properties.setProperty("loginTimeout", String.valueOf(loginTimeoutSeconds));
    }
    if (settings.password().isPresent()) {
      try {
        properties.setProperty("password",
            Secrets.read(settings.password().get(), environment, "database password file"));
      } catch (Secrets.UnavailableException e) {
        throw new PasswordUnavailableException(e.getMessage(), e);
      }
    }
    return DriverManager.getConnection(settings.url(), properties);
  }

  /** Refused: the role and its password come from the config, read at each connection. */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the role and password come from database.user and database.password");
  }

  /** The driver's login timeout of each connection (the URL's {@code loginTimeout} wins). */
  @Override
  public void setLoginTimeout(int seconds) {
    loginTimeoutSeconds = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeoutSeconds;
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // The driver logs through java.util.logging, not a log writer.
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no parent logger");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new SQLException("not a wrapper of " + type.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return type.isInstance(this);
  }
}
