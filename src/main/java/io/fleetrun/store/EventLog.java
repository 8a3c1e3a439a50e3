package io.fleetrun.store;

import io.fleetrun.model.DatabaseSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The table {@code run_event} (schema version 17): the engine's committed events as the event
 * stream serves them, appended by each daemon's writer and read by every daemon's HTTP server.
 * Plain JDBC, one statement (or one batch transaction) per call.
 *
 * <p>Reading in id order without loss: on SQLite writers are serialized, so an id is visible only
 * after every lower one committed. On PostgreSQL identity values are taken at insert and commit
 * in another order, so {@link #after} returns only rows whose transaction is older than every
 * transaction still running, and {@link #append} takes an advisory lock first, so that a
 * transaction that got its transaction id earlier never takes the higher event ids (see
 * sql/postgresql/V17__run_event.sql). The cost: a writing transaction held open on the server
 * delays the events committed after it began until it ends.
 */
public final class EventLog {
  /** The advisory lock of the writers ({@code pg_advisory_xact_lock}); any fixed number. */
  static final long WRITE_LOCK = 0x666c_6565_7472_756eL; // "fleetrun"

  /**
   * An event to append.
   *
   * @param kind the SSE event name ({@code record-started}, ...)
   * @param payload one line of JSON
   */
  public record NewEvent(String kind, String invokeId, String payload, Instant createdAt, String node) {
    public NewEvent {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(invokeId, "invokeId");
      Objects.requireNonNull(payload, "payload");
      Objects.requireNonNull(createdAt, "createdAt");
      Objects.requireNonNull(node, "node");
    }
  }

  /** An event as stored, with its position in the stream. */
  public record Event(long id, String kind, String invokeId, String payload) {}

  private final ReadConnections db;
  private final boolean postgresql;

  /** The log of {@code db}: the daemon's write pool to append, a read pool to read. */
  public EventLog(ReadConnections db) {
    this.db = Objects.requireNonNull(db, "db");
    this.postgresql = DatabaseSettings.kindOf(db.jdbcUrl()) == DatabaseSettings.Kind.POSTGRESQL;
  }

  /** Appends {@code events} in order, in one transaction. */
  public void append(List<NewEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    try {
      db.withConnection(c -> {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
          if (postgresql) {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
              lock.setLong(1, WRITE_LOCK);
              lock.execute();
            }
          }
          insert(c, events);
          c.commit();
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(auto);
        }
        return null;
      });
    } catch (SQLException e) {
      throw new IllegalStateException("cannot append " + events.size() + " event(s) to "
          + DatabaseSettings.redacted(db.jdbcUrl()) + ": " + e.getMessage(), e);
    }
  }

  private static void insert(Connection c, List<NewEvent> events) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "INSERT INTO run_event (kind, invoke_id, payload, created_at, node) VALUES (?, ?, ?, ?, ?)")) {
      for (NewEvent e : events) {
        st.setString(1, e.kind());
        st.setString(2, e.invokeId());
        st.setString(3, e.payload());
        st.setString(4, JdbcRows.text(e.createdAt()));
        st.setString(5, e.node());
        st.addBatch();
      }
      st.executeBatch();
    }
  }

  /** Up to {@code max} events after {@code id}, in id order; none that a later commit could precede. */
  public List<Event> after(long id, int max) {
    return JdbcRows.query(db, "SELECT event_id, kind, invoke_id, payload FROM run_event WHERE event_id > ?"
            + (postgresql ? " AND tx < pg_snapshot_xmin(pg_current_snapshot())" : "")
            + " ORDER BY event_id LIMIT ?", List.of(id, max),
        rs -> new Event(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
  }

  /** The newest id {@link #after} could return now (0: none), where a stream that starts now starts. */
  public long newest() {
    List<Long> ids = JdbcRows.query(db, "SELECT event_id FROM run_event"
        + (postgresql ? " WHERE tx < pg_snapshot_xmin(pg_current_snapshot())" : "")
        + " ORDER BY event_id DESC LIMIT 1", List.of(), rs -> rs.getLong(1));
    return ids.isEmpty() ? 0 : ids.get(0);
  }

  /** The oldest id kept, if any: a stream asked to resume before it lost what was pruned. */
  public OptionalLong oldest() {
    List<Long> ids = JdbcRows.query(db, "SELECT MIN(event_id) FROM run_event", List.of(),
        rs -> rs.getObject(1) == null ? null : rs.getLong(1));
    return ids.isEmpty() || ids.get(0) == null ? OptionalLong.empty() : OptionalLong.of(ids.get(0));
  }

  /**
   * Deletes the events created before {@code olderThan}, except the newest of all: it keeps the
   * table from becoming empty, so a resume from a pruned id is still told apart from one that
   * missed nothing ({@link #oldest}). Returns how many were deleted.
   */
  public int prune(Instant olderThan) {
    try {
      return db.withConnection(c -> {
        try (Statement max = c.createStatement();
            var rs = max.executeQuery("SELECT MAX(event_id) FROM run_event")) {
          rs.next();
          long newest = rs.getLong(1);
          try (PreparedStatement st = c.prepareStatement(
              "DELETE FROM run_event WHERE created_at < ? AND event_id < ?")) {
            st.setString(1, JdbcRows.text(olderThan));
            st.setLong(2, newest);
            return st.executeUpdate();
          }
        }
      });
    } catch (SQLException e) {
      throw new IllegalStateException("cannot prune the events of " + DatabaseSettings.redacted(db.jdbcUrl())
          + ": " + e.getMessage(), e);
    }
  }
}
