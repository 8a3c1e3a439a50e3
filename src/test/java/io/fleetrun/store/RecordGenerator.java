package io.fleetrun.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills a new fleetrun SQLite file with a realistic 1,000,000 records, for measuring queries and
 * CLI commands at scale (issue 7, item 10). Not a test: run it from a built checkout,
 *
 * <pre>
 *   mvn -B -o -q test-compile dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib
 *   java -cp 'target/classes:target/test-classes:target/lib/*' io.fleetrun.store.RecordGenerator /tmp/1m.db [1000000]
 * </pre>
 *
 * The shape: 1,000 hosts ({@code host-0000}..); one periodic invocation {@code p-disk} on 20
 * hosts holding a fifth of the records; one-time invocations {@code o-000001}.. of 100 hosts
 * each for the rest, over the last 30 days, 95 % Success, 4 % ExitCodeNonzero, 1 % Timeout; the
 * newest one still running (half its records Running, half Pending). One transaction per
 * 10,000 records. The schema comes from the migrations (the daemon's {@link Database#open}), so
 * the file is what a daemon of this build would have.
 */
public final class RecordGenerator {
  static final int HOSTS = 1000;
  static final int PER_ONCE = 100;
  static final int PERIODIC_HOSTS = 20;
  static final String PERIODIC = "p-disk";
  private static final int BATCH = 10_000;

  private final Connection c;
  private final boolean scheduledAt;
  private final Instant end = Instant.now();
  private final Instant start = end.minus(Duration.ofDays(30));
  private int inBatch;

  private RecordGenerator(Connection c) throws SQLException {
    this.c = c;
    this.scheduledAt = hasColumn(c, "invocation_record", "scheduled_at");
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: RecordGenerator NEW_FILE [RECORDS, default 1000000]");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    int records = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    if (Files.exists(file)) {
      System.err.println(file + " exists; give a new file");
      System.exit(2);
    }
    long t0 = System.nanoTime();
    generate(file, records);
    System.out.printf("%s: %d records in %.1f s%n", file, records, (System.nanoTime() - t0) / 1e9);
  }

  /** Creates {@code file} with the schema and {@code records} records (at least 200). */
  public static void generate(Path file, int records) throws SQLException {
    Database.open("jdbc:sqlite:" + file).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA synchronous = OFF");
      }
      c.setAutoCommit(false);
      new RecordGenerator(c).fill(records);
      c.commit();
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA optimize");
      }
    }
  }

  private void fill(int records) throws SQLException {
    int periodicRecords = records / 5;
    int repeats = Math.max(1, periodicRecords / PERIODIC_HOSTS);
    periodic(repeats);
    int onces = (records - repeats * PERIODIC_HOSTS) / PER_ONCE;
    for (int n = 1; n <= onces; n++) {
      once(n, onces);
    }
  }

  private void periodic(int repeats) throws SQLException {
    invocation(PERIODIC, "disk", "Period", "rate(30s)", "Running", start, null);
    List<String> hosts = hosts(0, PERIODIC_HOSTS);
    for (int i = 0; i < hosts.size(); i++) {
      instance(PERIODIC, hosts.get(i), i, "Running", repeats);
    }
    Duration step = Duration.between(start, end).dividedBy(repeats + 1);
    try (PreparedStatement st = recordInsert()) {
      for (int r = 1; r <= repeats; r++) {
        Instant at = start.plus(step.multipliedBy(r));
        for (String host : hosts) {
          boolean failed = (r + host.hashCode()) % 50 == 0;
          record(st, PERIODIC, host, r, failed ? "Finished" : "Finished", failed ? "Failed" : "Success",
              failed ? 1 : 0, failed ? "ExitCodeNonzero" : null, at);
        }
      }
      st.executeBatch();
    }
  }

  private void once(int n, int onces) throws SQLException {
    boolean newest = n == onces;
    String id = String.format("o-%06d", n);
    Instant at = start.plus(Duration.between(start, end).multipliedBy(n).dividedBy(onces + 1L));
    List<String> hosts = hosts((n * 37) % (HOSTS - PER_ONCE), PER_ONCE);
    int failed = 0;
    try (PreparedStatement st = recordInsert()) {
      for (int i = 0; i < hosts.size(); i++) {
        String host = hosts.get(i);
        if (newest) {
          record(st, id, host, 1, "Running", i % 2 == 0 ? "Running" : "Pending", null, null, at);
          continue;
        }
        int kind = (n * 7 + i) % 100;
        if (kind < 95) {
          record(st, id, host, 1, "Finished", "Success", 0, null, at);
        } else if (kind < 99) {
          record(st, id, host, 1, "Finished", "Failed", 1, "ExitCodeNonzero", at);
        } else {
          record(st, id, host, 1, "Failed", "Timeout", null, "ExecutionTimeout", at);
          failed++;
        }
      }
      st.executeBatch();
    }
    invocation(id, n % 10 == 0 ? "nightly" : null, "Once", null,
        newest ? "Running" : failed > 0 ? "PartialFailed" : "Finished", at, newest ? null : at.plusSeconds(5));
    for (int i = 0; i < hosts.size(); i++) {
      instance(id, hosts.get(i), i, newest ? "Running" : "Finished", 1);
    }
  }

  private static List<String> hosts(int first, int count) {
    List<String> hosts = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      hosts.add(String.format("host-%04d", i));
    }
    return hosts;
  }

  private void invocation(String id, String job, String mode, String frequency, String status,
      Instant created, Instant finished) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("INSERT INTO invocation (invoke_id, job_id, command_id,"
        + " command_content, parameters, repeat_mode, frequency, status, created_at, finished_at)"
        + " VALUES (?, ?, 'uptime', 'uptime', '{}', ?, ?, ?, ?, ?)")) {
      st.setString(1, id);
      st.setString(2, job);
      st.setString(3, mode);
      st.setString(4, frequency);
      st.setString(5, status);
      st.setString(6, JdbcRows.text(created));
      st.setString(7, finished == null ? null : JdbcRows.text(finished));
      st.executeUpdate();
    }
  }

  private void instance(String id, String host, int no, String status, int repeats) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("INSERT INTO invocation_instance (invoke_id, instance_id,"
        + " instance_no, status, repeats) VALUES (?, ?, ?, ?, ?)")) {
      st.setString(1, id);
      st.setString(2, host);
      st.setInt(3, no);
      st.setString(4, status);
      st.setInt(5, repeats);
      st.executeUpdate();
    }
  }

  private PreparedStatement recordInsert() throws SQLException {
    return c.prepareStatement("INSERT INTO invocation_record (invoke_id, instance_id, repeat_no, status,"
        + " detail_status, exit_code, error_code, error_info, output, start_time, finish_time"
        + (scheduledAt ? ", scheduled_at" : "") + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
        + (scheduledAt ? ", ?" : "") + ")");
  }

  private void record(PreparedStatement st, String id, String host, int repeat, String status, String detail,
      Integer exit, String error, Instant at) throws SQLException {
    boolean ended = !"Running".equals(status);
    boolean sent = !"Pending".equals(detail);
    st.setString(1, id);
    st.setString(2, host);
    st.setInt(3, repeat);
    st.setString(4, status);
    st.setString(5, detail);
    st.setObject(6, exit);
    st.setString(7, error);
    st.setString(8, error == null ? null : "generated " + error);
    st.setString(9, ended ? " 07:10:03 up 12 days,  3:04,  0 users,  load average: 0.08, 0.03, 0.01\n" : "");
    // Before V9 start_time cannot be NULL; a Pending record then carries its scheduled time.
    st.setString(10, sent || !scheduledAt ? JdbcRows.text(at) : null);
    st.setString(11, ended ? JdbcRows.text(at.plusMillis(850)) : null);
    if (scheduledAt) {
      st.setString(12, JdbcRows.text(at));
    }
    st.addBatch();
    if (++inBatch % BATCH == 0) {
      st.executeBatch();
      c.commit();
    }
  }

  private static boolean hasColumn(Connection c, String table, String column) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
      while (rs.next()) {
        if (column.equals(rs.getString("name"))) {
          return true;
        }
      }
    }
    return false;
  }
}
