package io.fleetrun.store;

import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.InvokeId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.sqlite.SQLiteConfig;

/**
 * {@link RequestChannel} for one CLI command ({@code run}, {@code stop}): one plain connection,
 * no pool and no jOOQ (together they cost a CLI on a loaded 2-core machine seconds before its
 * request reached the database), the same rows and the same conditional writes as {@link
 * JooqControlChannel}. On SQLite transactions begin IMMEDIATE, as the daemon's do; on PostgreSQL
 * they are ordinary ones (the withdrawal is one conditional UPDATE, safe beside other writers).
 * Statements run in autocommit otherwise. The methods are synchronized: the withdrawal of a
 * shutdown hook may come while the main thread polls.
 */
public final class CliRequests implements RequestChannel, AutoCloseable {
  private final CliConnection db;
  private final Connection connection;

  private CliRequests(CliConnection db) {
    this.db = db;
    this.connection = db.connection();
  }

  /**
   * Opens a database the daemon created, writing nothing at open.
   *
   * @throws IllegalStateException when the file does not exist, the server refuses the
   *     connection, or its schema lacks a migration of this build
   * @throws IllegalArgumentException when {@code database.password} cannot be read
   */
  public static CliRequests openExisting(DatabaseSettings settings) {
    return openExisting(settings, System::getenv);
  }

  /** As {@link #openExisting(DatabaseSettings)}, with environment variables from {@code environment}. */
  static CliRequests openExisting(DatabaseSettings settings, Function<String, String> environment) {
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.enforceForeignKeys(true);
    sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    return new CliRequests(CliConnection.open(settings, environment, sqlite, false));
  }

  /** Where this database is (holds where its password is read from, never the password). */
  public DatabaseSettings settings() {
    return db.settings();
  }

  public String jdbcUrl() {
    return db.jdbcUrl();
  }

  @Override
  public synchronized long submit(ControlRequest request, Instant now) {
    return JdbcRows.query(db,
        "INSERT INTO control_request (kind, payload, created_at) VALUES (?, ?, ?) RETURNING request_id",
        List.of(ControlPayload.kind(request), ControlPayload.write(request), JdbcRows.text(now)),
        rs -> rs.getLong(1)).get(0);
  }

  @Override
  public synchronized Optional<RequestState> findRequest(long id) {
    return JdbcRows.query(db, "SELECT done_at, invoke_id, error FROM control_request WHERE request_id = ?",
        List.of(id), rs -> new RequestState(id, answer(rs))).stream().findFirst();
  }

  @Override
  public synchronized Withdrawal withdraw(long id, Instant now) {
    try {
      connection.setAutoCommit(false);
      try {
        Withdrawal result = withdrawInTransaction(id, now);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot withdraw request " + id + " in "
          + DatabaseSettings.redacted(db.jdbcUrl()) + ": " + e.getMessage(), e);
    }
  }

  private Withdrawal withdrawInTransaction(long id, Instant now) throws SQLException {
    try (PreparedStatement st = connection.prepareStatement("UPDATE control_request"
        + " SET withdrawn_at = ?, done_at = ?, error = ?, client_token = NULL"
        + " WHERE request_id = ? AND claimed_at IS NULL AND withdrawn_at IS NULL")) {
      st.setString(1, JdbcRows.text(now));
      st.setString(2, JdbcRows.text(now));
      st.setString(3, JooqControlChannel.WITHDRAWN);
      st.setLong(4, id);
      if (st.executeUpdate() == 1) {
        return new Withdrawal.Withdrawn();
      }
    }
    try (PreparedStatement st = connection.prepareStatement(
        "SELECT withdrawn_at, claimed_at, done_at, invoke_id, error FROM control_request WHERE request_id = ?")) {
      st.setLong(1, id);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          throw new NoSuchElementException("no control request " + id);
        }
        if (rs.getString("withdrawn_at") != null) {
          return new Withdrawal.Withdrawn();
        }
        Optional<RequestAnswer> answer = answer(rs);
        if (answer.isPresent()) {
          return new Withdrawal.Answered(answer.get());
        }
        return new Withdrawal.Taken(Instant.parse(rs.getString("claimed_at")));
      }
    }
  }

  /** As {@code JooqControlChannel.answer}: none while not done; an invoke id or the error. */
  private static Optional<RequestAnswer> answer(ResultSet rs) throws SQLException {
    if (rs.getString("done_at") == null) {
      return Optional.empty();
    }
    String invokeId = rs.getString("invoke_id");
    if (invokeId != null) {
      return Optional.of(new RequestAnswer.Done(new InvokeId(invokeId)));
    }
    return Optional.of(new RequestAnswer.Refused(Objects.requireNonNullElse(rs.getString("error"), "")));
  }

  @Override
  public synchronized Optional<Heartbeat> latestHeartbeat() {
    return new JdbcStatusQueries(db).latestHeartbeat();
  }

  @Override
  public synchronized void close() {
    db.close();
  }
}
