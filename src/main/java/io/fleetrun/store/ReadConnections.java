package io.fleetrun.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where the plain-JDBC reads ({@link JdbcInvocationQueries}, {@link JdbcStatusQueries}) get a
 * connection: the CLI's one read-only connection ({@link ReadOnlyDatabase}) or, in the daemon
 * and the demo, a connection borrowed from the pool of {@link Database} for one statement. The
 * reads run in autocommit, one statement each, so none of them keeps a read transaction (and
 * with it an old snapshot of the WAL) open across calls.
 */
public interface ReadConnections {
  /** The database's URL, to name it in errors. */
  String jdbcUrl();

  /** Runs {@code work} on a connection and gives the connection back. */
  <T> T withConnection(Work<T> work) throws SQLException;

  /** Something done on a borrowed connection. */
  @FunctionalInterface
  interface Work<T> {
    T on(Connection connection) throws SQLException;
  }
}
