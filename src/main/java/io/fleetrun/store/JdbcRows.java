package io.fleetrun.store;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.Output;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plain-JDBC twin of {@link Rows}: maps result set rows to model records, for the CLI's reads
 * and the daemon's ({@link JdbcInvocationQueries}, {@link JdbcStatusQueries}). Times as {@link UtcText} stores
 * them (not used here: it is a jOOQ converter, and loading jOOQ is what the CLI avoids).
 */
final class JdbcRows {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private JdbcRows() {}

  /** Runs one query with {@code args} bound in order; an SQL error names the statement. */
  static <T> List<T> query(ReadConnections db, String sql, List<?> args,
      JdbcInvocationQueries.RowMapper<T> mapper) {
    try {
      return db.withConnection(connection -> {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
          for (int i = 0; i < args.size(); i++) {
            st.setObject(i + 1, args.get(i));
          }
          List<T> rows = new ArrayList<>();
          try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
              rows.add(mapper.map(rs));
            }
          }
          return rows;
        }
      });
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read " + DatabaseSettings.redacted(db.jdbcUrl()) + " (" + sql + "): "
          + e.getMessage(), e);
    }
  }

  static String text(Instant t) {
    return FORMAT.format(t);
  }

  static Optional<Instant> time(ResultSet rs, String column) throws SQLException {
    return Optional.ofNullable(rs.getString(column)).map(Instant::parse);
  }

  static Invocation invocation(ResultSet rs) throws SQLException {
    return new Invocation(
        new InvokeId(rs.getString("invoke_id")),
        Optional.ofNullable(rs.getString("job_id")).map(JobId::new),
        new CommandId(rs.getString("command_id")),
        RepeatMode.valueOf(rs.getString("repeat_mode")),
        Optional.ofNullable(rs.getString("frequency")).map(Frequency::parse),
        InvocationStatus.valueOf(rs.getString("status")),
        Instant.parse(rs.getString("created_at")),
        time(rs, "finished_at"),
        time(rs, "stopped_at"));
  }

  static InvocationRecord record(ResultSet rs) throws SQLException {
    int code = rs.getInt("exit_code");
    Optional<Integer> exitCode = rs.wasNull() ? Optional.empty() : Optional.of(code);
    return new InvocationRecord(
        new RecordId(rs.getLong("record_id")),
        new InvokeId(rs.getString("invoke_id")),
        new InstanceId(rs.getString("instance_id")),
        rs.getInt("repeat_no"),
        RecordStatus.valueOf(rs.getString("status")),
        DetailStatus.valueOf(rs.getString("detail_status")),
        exitCode,
        Optional.ofNullable(rs.getString("error_code")).map(ErrorCode::valueOf),
        Optional.ofNullable(rs.getString("error_info")),
        new Output(rs.getString("output"), rs.getLong("dropped")),
        Instant.parse(rs.getString("scheduled_at")),
        time(rs, "start_time"),
        time(rs, "finish_time"),
        time(rs, "stop_time"));
  }
}
