package io.fleetrun.schedule;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import org.quartz.impl.jdbcjobstore.StdJDBCDelegate;

/**
 * Quartz's standard delegate, with two changes for fleetrun.
 *
 * <p>It reads BLOB columns with {@code getBytes}: Quartz uses {@code ResultSet.getBlob}, which
 * sqlite-jdbc does not implement.
 *
 * <p>It deserializes those columns ({@code QRTZ_BLOB_TRIGGERS.BLOB_DATA},
 * {@code QRTZ_CALENDARS.CALENDAR}, and {@code JOB_DATA} when job data is not stored as properties)
 * through {@link BlobFilter}, which admits only the few classes a job data map is made of.
 * fleetrun itself writes no Java-serialized object there (its triggers are cron and simple
 * triggers, stored in their own tables; job data is stored as properties text; it uses no
 * calendars), so a serialized object in those columns was put there by someone else, and
 * building it could run code in the daemon. Every blob Quartz deserializes passes through {@link
 * #getObjectFromBlob}: {@link #getJobDataFromBlob} falls back to it.
 */
public class SqliteDelegate extends StdJDBCDelegate {

  @Override
  protected Object getObjectFromBlob(ResultSet rs, String colName)
      throws ClassNotFoundException, IOException, SQLException {
    return readFiltered(rs, colName);
  }

  @Override
  protected Object getJobDataFromBlob(ResultSet rs, String colName)
      throws ClassNotFoundException, IOException, SQLException {
    return canUseProperties() ? propertiesText(rs, colName) : readFiltered(rs, colName);
  }

  /**
   * The object in a blob column, built through {@link BlobFilter}; null for an empty column. Also
   * what {@link PostgresDelegate} reads with.
   */
  static Object readFiltered(ResultSet rs, String colName)
      throws ClassNotFoundException, IOException, SQLException {
    byte[] bytes = rs.getBytes(colName);
    if (bytes == null || bytes.length == 0) {
      return null;
    }
    BlobFilter filter = new BlobFilter();
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      // On the stream, not JVM-wide (jdk.serialFilter): other libraries keep their own rules.
      in.setObjectInputFilter(filter);
      return in.readObject();
    } catch (InvalidClassException e) {
      if (filter.refusal().isEmpty()) {
        throw e;
      }
      throw new IOException(
          ("refused to deserialize %s from %s (%s): fleetrun stores no such object there, so"
                  + " someone else wrote this row; delete it (the daemon rewrites its own rows)")
              .formatted(filter.refusal().get(), column(rs, colName), row(rs)),
          e);
    }
  }

  /** Job data stored as properties text, read by Quartz with Properties.load: no object is built. */
  static ByteArrayInputStream propertiesText(ResultSet rs, String colName) throws SQLException {
    byte[] bytes = rs.getBytes(colName);
    return bytes == null ? null : new ByteArrayInputStream(bytes);
  }

  /** {@code TABLE.COLUMN}, from the result's metadata, else from the column Quartz names. */
  private static String column(ResultSet rs, String colName) {
    String table = "";
    try {
      table = rs.getMetaData().getTableName(rs.findColumn(colName));
    } catch (SQLException | RuntimeException e) {
      // Fall back below: the message matters more than the exact source of the table name.
    }
    if (table == null || table.isEmpty()) {
      table =
          switch (colName.toUpperCase(Locale.ROOT)) {
            case "BLOB_DATA" -> "QRTZ_BLOB_TRIGGERS";
            case "CALENDAR" -> "QRTZ_CALENDARS";
            default -> "QRTZ_JOB_DETAILS or QRTZ_TRIGGERS";
          };
    }
    return table + "." + colName;
  }

  /** The row the blob belongs to: its trigger, calendar or job, as far as the result shows. */
  private static String row(ResultSet rs) {
    return text(rs, "TRIGGER_NAME")
        .map(name -> "trigger " + text(rs, "TRIGGER_GROUP").orElse("?") + "." + name)
        .or(() -> text(rs, "CALENDAR_NAME").map(name -> "calendar " + name))
        .or(
            () ->
                text(rs, "JOB_NAME")
                    .map(name -> "job " + text(rs, "JOB_GROUP").orElse("?") + "." + name))
        .orElse("row unknown");
  }

  private static Optional<String> text(ResultSet rs, String column) {
    try {
      return Optional.ofNullable(rs.getString(column));
    } catch (SQLException e) {
      return Optional.empty();
    }
  }
}
