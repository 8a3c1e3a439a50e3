package io.fleetrun.schedule;

import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.quartz.impl.jdbcjobstore.PostgreSQLDelegate;

/**
 * Quartz's PostgreSQL delegate with the deserialization filter of {@link SqliteDelegate}.
 *
 * <p>In Quartz 2.5.2, {@code PostgreSQLDelegate} differs from the standard delegate only in how it
 * reads blobs: {@code getBytes} on the BYTEA columns (as {@link SqliteDelegate} does for
 * sqlite-jdbc, which has no {@code getBlob}), then a plain {@code ObjectInputStream} with no
 * filter. A serialized object in {@code QRTZ_BLOB_TRIGGERS}, {@code QRTZ_CALENDARS} or {@code
 * JOB_DATA} was not written by fleetrun, on PostgreSQL no more than on SQLite (more roles may
 * write to a shared server), so the same filter applies: both overrides read through {@link
 * SqliteDelegate#readFiltered}.
 */
public class PostgresDelegate extends PostgreSQLDelegate {

  @Override
  protected Object getObjectFromBlob(ResultSet rs, String colName)
      throws ClassNotFoundException, IOException, SQLException {
    return SqliteDelegate.readFiltered(rs, colName);
  }

  @Override
  protected Object getJobDataFromBlob(ResultSet rs, String colName)
      throws ClassNotFoundException, IOException, SQLException {
    return canUseProperties()
        ? SqliteDelegate.propertiesText(rs, colName)
        : SqliteDelegate.readFiltered(rs, colName);
  }
}
