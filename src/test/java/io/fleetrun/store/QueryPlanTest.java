package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every query the CLI, the README and retention run on the big tables is answered through an
 * index: {@code EXPLAIN QUERY PLAN} on a migrated file shows no plain {@code SCAN} of {@code
 * invocation}, {@code invocation_instance} or {@code invocation_record} (a scan of a table reads every row: 1 M records).
 * The README's queries are read from the README itself, so a new example there is checked too.
 * The CLI's queries are those of {@link JdbcInvocationQueries} and {@link JdbcStatusQueries},
 * the retention ones mirror {@link JooqRetention}'s; keep them in step.
 */
class QueryPlanTest {
  /**
   * A walk through a big table: any SCAN of invocation_record (even along an index, as in
   * "SCAN invocation_record USING INDEX invocation_record_start_time", which reads every record
   * to find one host's), and a plain SCAN of invocation (one along an index is the newest-first
   * walk of "ORDER BY created_at DESC LIMIT n", which stops after n rows).
   */
  private static final Pattern FULL_SCAN =
      Pattern.compile("^SCAN (invocation_record\\b.*|invocation_instance( AS \\w+)?|invocation( AS \\w+)?)$");

  @TempDir static Path dir;
  private static Database db;
  private static Connection connection;

  @BeforeAll
  static void migrate() throws SQLException {
    db = Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db"));
    connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("fleetrun.db"));
  }

  @AfterAll
  static void close() throws SQLException {
    connection.close();
    db.close();
  }

  static Stream<String> cliQueries() {
    return Stream.of(
        // fleetrun invocations, with each filter
        "SELECT * FROM invocation i WHERE 1 = 1 ORDER BY i.created_at DESC, i.invoke_id DESC LIMIT 20",
        "SELECT * FROM invocation i WHERE 1 = 1 AND i.status = 'Running' ORDER BY i.created_at DESC, i.invoke_id DESC LIMIT 20",
        "SELECT * FROM invocation i WHERE 1 = 1 AND i.job_id = 'nightly' ORDER BY i.created_at DESC, i.invoke_id DESC LIMIT 20",
        "SELECT * FROM invocation i WHERE 1 = 1 AND i.created_at >= '2026-12-01T00:00:00.000Z'"
            + " ORDER BY i.created_at DESC, i.invoke_id DESC LIMIT 20",
        "SELECT invoke_id, status, count(*) FROM invocation_instance WHERE invoke_id IN ('t-1', 't-2', 't-3')"
            + " GROUP BY invoke_id, status",
        // ... and the record counts of its page; run --wait's progress (one invocation)
        "SELECT invoke_id, status, detail_status, count(*) FROM invocation_record"
            + " WHERE invoke_id IN ('t-1', 't-2', 't-3') GROUP BY invoke_id, status, detail_status",
        "SELECT invoke_id, status, detail_status, count(*) FROM invocation_record"
            + " WHERE invoke_id IN ('t-1') GROUP BY invoke_id, status, detail_status",
        // fleetrun results (and run --wait's final table)
        "SELECT * FROM invocation WHERE invoke_id = 't-1'",
        "SELECT * FROM invocation_record WHERE invoke_id = 't-1' ORDER BY instance_id, repeat_no",
        "SELECT * FROM invocation_record WHERE invoke_id = 't-1' ORDER BY record_id DESC LIMIT 100",
        "SELECT * FROM invocation_record WHERE invoke_id = 't-1' AND record_id < 500 ORDER BY record_id DESC LIMIT 100",
        "SELECT count(*) FROM invocation_record WHERE invoke_id = 't-1' AND record_id < 400",
        "SELECT * FROM invocation_record WHERE invoke_id = 't-1' AND instance_id = 'web-1'"
            + " ORDER BY repeat_no DESC LIMIT 100",
        "SELECT count(*) FROM invocation_record WHERE invoke_id = 't-1' AND instance_id = 'web-1' AND record_id < 400",
        // fleetrun status
        "SELECT count(*), count(start_time) FROM invocation_record WHERE status = 'Running'",
        "SELECT r.invoke_id, r.instance_id, i.job_id, r.start_time, r.scheduled_at"
            + " FROM invocation_record r JOIN invocation i ON i.invoke_id = r.invoke_id"
            + " WHERE r.status = 'Running' AND r.start_time IS NOT NULL"
            + " ORDER BY r.start_time DESC, r.record_id DESC LIMIT 5",
        "SELECT r.invoke_id, r.instance_id, i.job_id, r.start_time, r.scheduled_at"
            + " FROM invocation_record r JOIN invocation i ON i.invoke_id = r.invoke_id"
            + " WHERE r.status = 'Running' AND r.start_time IS NULL ORDER BY r.record_id LIMIT 5",
        "SELECT count(*) FROM control_request WHERE done_at IS NULL");
  }

  /** The HTTP API's reads ({@link JdbcInvocationViews}): its filters, keyset pages and records. */
  static Stream<String> apiQueries() {
    String invocations = "SELECT * FROM invocation i WHERE 1 = 1";
    String order = " ORDER BY i.created_at DESC, i.invoke_id DESC LIMIT 21";
    String latest = " AND r.repeat_no = (SELECT max(m.repeat_no) FROM invocation_record m"
        + " WHERE m.invoke_id = r.invoke_id AND m.instance_id = r.instance_id)";
    return Stream.of(
        invocations + " AND i.command_id = 'df'" + order,
        invocations + " AND i.created_at >= '2026-12-01T00:00:00.000Z' AND i.created_at < '2026-12-02T00:00:00.000Z'" + order,
        invocations + " AND EXISTS (SELECT 1 FROM invocation_instance ii WHERE ii.invoke_id = i.invoke_id"
            + " AND ii.instance_id = 'web-1')" + order,
        invocations + " AND i.created_at <= '2026-12-01T00:00:00.000Z' AND (i.created_at < '2026-12-01T00:00:00.000Z'"
            + " OR i.invoke_id < 't-1')" + order,
        "SELECT invoke_id, command_content, parameters FROM invocation WHERE invoke_id IN ('t-1', 't-2')",
        "SELECT invoke_id, instance_id, status, repeats, skipped, stopped_at FROM invocation_instance"
            + " WHERE invoke_id IN ('t-1', 't-2') ORDER BY invoke_id, instance_no",
        "SELECT r.* FROM invocation_record r WHERE r.invoke_id = 't-1' ORDER BY r.record_id DESC LIMIT 21",
        "SELECT r.* FROM invocation_record r WHERE r.invoke_id = 't-1' AND r.status = 'Failed' AND r.record_id < 500"
            + " ORDER BY r.record_id DESC LIMIT 21",
        "SELECT r.* FROM invocation_record r WHERE r.invoke_id = 't-1' AND r.instance_id > 'web-1'" + latest
            + " ORDER BY r.instance_id LIMIT 21",
        "SELECT r.* FROM invocation_record r WHERE r.invoke_id = 't-1' AND r.instance_id = 'web-1'"
            + " AND r.status = 'Failed'" + latest + " ORDER BY r.instance_id LIMIT 21");
  }

  static Stream<String> retentionQueries() {
    String oldEnded = "i.status <> 'Running' AND i.finished_at < '2026-11-01T00:00:00.000Z'"
        + " AND NOT EXISTS (SELECT 1 FROM invocation_record running"
        + " WHERE running.invoke_id = i.invoke_id AND running.status = 'Running')";
    return Stream.of(
        "SELECT r.record_id FROM invocation_record r JOIN invocation i ON i.invoke_id = r.invoke_id"
            + " WHERE " + oldEnded + " LIMIT 500",
        "SELECT record_id FROM invocation_record WHERE finish_time < '2026-11-01T00:00:00.000Z'"
            + " AND status <> 'Running' AND invoke_id IN (SELECT invoke_id FROM invocation"
            + " WHERE status = 'Running' AND repeat_mode = 'Period') LIMIT 500",
        "SELECT ii.invoke_id, ii.instance_id FROM invocation_instance ii JOIN invocation i"
            + " ON i.invoke_id = ii.invoke_id WHERE " + oldEnded + " AND NOT EXISTS (SELECT 1 FROM"
            + " invocation_record r WHERE r.invoke_id = ii.invoke_id AND r.instance_id = ii.instance_id) LIMIT 500",
        "SELECT i.invoke_id FROM invocation i WHERE " + oldEnded + " AND NOT EXISTS (SELECT 1 FROM"
            + " invocation_instance ii WHERE ii.invoke_id = i.invoke_id) LIMIT 500",
        "SELECT request_id FROM control_request WHERE done_at < '2026-11-01T00:00:00.000Z' LIMIT 500");
  }

  static Stream<String> readmeQueries() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    Matcher m = Pattern.compile("sqlite3 data/fleetrun\\.db \"(SELECT.*?)\"", Pattern.DOTALL).matcher(readme);
    List<String> queries = new ArrayList<>();
    while (m.find()) {
      queries.add(m.group(1).replaceAll("\\s+", " ").replaceAll(";$", ""));
    }
    if (queries.size() < 4) {
      throw new IllegalStateException("found " + queries.size() + " of the README's example queries, expected 4 or more");
    }
    return queries.stream();
  }

  @ParameterizedTest
  @MethodSource({"cliQueries", "apiQueries", "retentionQueries", "readmeQueries"})
  void usesAnIndexForTheBigTables(String sql) throws SQLException {
    List<String> plan = plan(sql);
    assertThat(plan).as("plan of %s", sql).noneMatch(step -> FULL_SCAN.matcher(step).matches());
  }

  /**
   * A page of a periodic invocation's records (a million, maybe) must not sort them all to
   * return the newest hundred: the index gives them in order.
   */
  @ParameterizedTest
  @MethodSource("resultsPages")
  void resultsPagesComeInIndexOrderWithoutASort(String sql) throws SQLException {
    assertThat(plan(sql)).as("plan of %s", sql).noneMatch(step -> step.startsWith("USE TEMP B-TREE"));
  }

  /**
   * run --wait's progress and the RECORDS column count an invocation's records per status: from
   * the index alone (V12), not by reading each record's row (200,000 of them for a big periodic
   * invocation).
   */
  @ParameterizedTest
  @MethodSource("recordCounts")
  void recordCountsReadTheIndexAlone(String sql) throws SQLException {
    assertThat(plan(sql)).as("plan of %s", sql)
        .anyMatch(step -> step.startsWith("SEARCH invocation_record USING COVERING INDEX"));
  }

  static Stream<String> recordCounts() {
    return cliQueries().filter(q -> q.contains("GROUP BY invoke_id, status, detail_status"));
  }

  static Stream<String> resultsPages() {
    return Stream.concat(cliQueries().filter(q -> q.contains("DESC LIMIT 100")),
        apiQueries().filter(q -> q.startsWith("SELECT r.*")));
  }

  private static List<String> plan(String sql) throws SQLException {
    List<String> steps = new ArrayList<>();
    try (PreparedStatement st = connection.prepareStatement("EXPLAIN QUERY PLAN " + sql);
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        steps.add(rs.getString("detail"));
      }
    }
    return steps;
  }
}
