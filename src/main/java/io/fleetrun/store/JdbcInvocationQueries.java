package io.fleetrun.store;

import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link InvocationQueries} in plain JDBC: the CLI's reads over its {@link ReadOnlyDatabase},
 * which must answer a few milliseconds after the JVM starts (jOOQ's first query alone costs
 * hundreds), and the daemon's and the demo's over the pool of {@link Database}: one
 * implementation, so the two can never answer differently. Every statement here is covered by an
 * index (see {@code QueryPlanTest}).
 */
public final class JdbcInvocationQueries implements InvocationQueries {
  /** Ids per IN list; old SQLite builds allow 999 parameters per statement. */
  static final int IN_LIST = 500;

  private final ReadConnections db;

  public JdbcInvocationQueries(ReadConnections db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public List<InvocationSummary> listInvocations(InvocationFilter filter) {
    // The API's query, so the CLI and the API list the same invocations in the same order.
    InvocationPageFilter page = new InvocationPageFilter(filter.status(), filter.job(), Optional.empty(),
        Optional.empty(), filter.since(), Optional.empty(), Optional.empty(), filter.limit());
    List<Invocation> invocations = new JdbcInvocationViews(db).invocations(page, filter.limit());
    Map<String, Map<RecordStatus, Integer>> counts = instanceCounts(invocations);
    return invocations.stream()
        .map(i -> new InvocationSummary(i, counts.get(i.id().value())))
        .toList();
  }

  /** Per invocation, how many instances are in each status (zero included). */
  private Map<String, Map<RecordStatus, Integer>> instanceCounts(List<Invocation> invocations) {
    Map<String, Map<RecordStatus, Integer>> counts = new LinkedHashMap<>();
    for (Invocation i : invocations) {
      Map<RecordStatus, Integer> zero = new EnumMap<>(RecordStatus.class);
      for (RecordStatus s : RecordStatus.values()) {
        zero.put(s, 0);
      }
      counts.put(i.id().value(), zero);
    }
    if (invocations.isEmpty()) {
      return counts;
    }
    // One query for the page, along the primary key (invoke_id, instance_id).
    for (List<String> ids : chunks(List.copyOf(counts.keySet()))) {
      query("SELECT invoke_id, status, count(*) FROM invocation_instance WHERE invoke_id IN ("
              + marks(ids.size()) + ") GROUP BY invoke_id, status",
          ids,
          rs -> counts.get(rs.getString(1)).put(RecordStatus.valueOf(rs.getString(2)), rs.getInt(3)));
    }
    return counts;
  }

  /** The record counts of {@code id} ({@link RecordCounts#NONE} when it has no records yet). */
  public RecordCounts recordCounts(InvokeId id) {
    return recordCounts(List.of(id)).get(id);
  }

  /**
   * The record counts of each of {@code ids}, in one query (a page of {@code invocations}), each
   * present ({@link RecordCounts#NONE} when it has no records).
   */
  public Map<InvokeId, RecordCounts> recordCounts(Collection<InvokeId> ids) {
    Map<InvokeId, RecordCounts> counts = new LinkedHashMap<>();
    ids.forEach(id -> counts.put(id, RecordCounts.NONE));
    // Each invocation's records are a range of the (invoke_id, record_id) index.
    for (List<String> page : chunks(counts.keySet().stream().map(InvokeId::value).toList())) {
      query("SELECT invoke_id, status, detail_status, count(*) FROM invocation_record"
              + " WHERE invoke_id IN (" + marks(page.size()) + ") GROUP BY invoke_id, status, detail_status",
          page,
          rs -> {
            InvokeId id = new InvokeId(rs.getString(1));
            RecordStatus status = RecordStatus.valueOf(rs.getString(2));
            DetailStatus detail = DetailStatus.valueOf(rs.getString(3));
            long count = rs.getLong(4);
            return counts.computeIfPresent(id, (k, c) -> c.plus(status, detail, count));
          });
    }
    return counts;
  }

  /**
   * {@code ids} in lists of at most {@link #IN_LIST} (none for none): one query per list keeps a
   * page of invocations one query, and a huge {@code --limit} under SQLite's bound on parameters.
   */
  private static List<List<String>> chunks(List<String> ids) {
    List<List<String>> chunks = new ArrayList<>();
    for (int from = 0; from < ids.size(); from += IN_LIST) {
      chunks.add(ids.subList(from, Math.min(ids.size(), from + IN_LIST)));
    }
    return chunks;
  }

  /** {@code n} parameter marks for an IN list: {@code ?, ?, ?}. */
  private static String marks(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  @Override
  public Optional<Invocation> findInvocation(InvokeId id) {
    return query("SELECT * FROM invocation WHERE invoke_id = ?", List.of(id.value()), JdbcRows::invocation)
        .stream().findFirst();
  }

  @Override
  public List<InvocationRecord> listRecords(InvokeId id, Optional<InstanceId> instance) {
    List<Object> args = new ArrayList<>(List.of(id.value()));
    String sql = "SELECT * FROM invocation_record WHERE invoke_id = ?";
    if (instance.isPresent()) {
      sql += " AND instance_id = ?";
      args.add(instance.get().value());
    }
    return query(sql + " ORDER BY instance_id, repeat_no", args, JdbcRows::record);
  }

  /**
   * A page of the records of {@code id}, newest first: at most {@code limit} (0: all) of those
   * older than {@code before} (when given), of one instance when given, and how many older ones
   * match besides. Newest first because a periodic invocation gathers records without end and
   * its last runs are what a reader looks for.
   */
  public RecordPage recordsPage(InvokeId id, Optional<InstanceId> instance, Optional<RecordId> before, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit cannot be negative: " + limit);
    }
    StringBuilder where = new StringBuilder(" FROM invocation_record WHERE invoke_id = ?");
    List<Object> args = new ArrayList<>(List.of(id.value()));
    instance.ifPresent(i -> {
      where.append(" AND instance_id = ?");
      args.add(i.value());
    });
    before.ifPresent(r -> {
      where.append(" AND record_id < ?");
      args.add(r.value());
    });
    // One instance: its repeats are in record order, and the unique (invoke_id, instance_id,
    // repeat_no) index walks them without a sort.
    String order = instance.isPresent() ? " ORDER BY repeat_no DESC" : " ORDER BY record_id DESC";
    List<Object> pageArgs = new ArrayList<>(args);
    String limitClause = "";
    if (limit > 0) {
      limitClause = " LIMIT ?";
      pageArgs.add(limit);
    }
    List<InvocationRecord> page = query("SELECT *" + where + order + limitClause, pageArgs, JdbcRows::record);
    long older = 0;
    if (limit > 0 && page.size() == limit) {
      List<Object> countArgs = new ArrayList<>(args);
      countArgs.add(page.get(page.size() - 1).id().value());
      older = query("SELECT count(*)" + where + " AND record_id < ?", countArgs, rs -> rs.getLong(1)).get(0);
    }
    return new RecordPage(page, older);
  }

  /** Maps one row. */
  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  <T> List<T> query(String sql, List<?> args, RowMapper<T> mapper) {
    return JdbcRows.query(db, sql, args, mapper);
  }
}
