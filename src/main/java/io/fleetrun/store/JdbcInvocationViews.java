package io.fleetrun.store;

import io.fleetrun.model.Invocation;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP API's reads, in plain JDBC valid on SQLite and PostgreSQL: invocations with their
 * instances, and records, in keyset pages (each page starts after the last row of the previous
 * one, so rows written between two pages neither shift nor repeat rows). {@link
 * JdbcInvocationQueries#listInvocations}, the CLI's list, reads through {@link #invocations}
 * too.
 */
public final class JdbcInvocationViews {
  private final ReadConnections db;

  public JdbcInvocationViews(ReadConnections db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /** The invocation rows of a page, newest first, with one row more than the page when there is one. */
  List<Invocation> invocations(InvocationPageFilter f, int rows) {
    StringBuilder sql = new StringBuilder("SELECT * FROM invocation i WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    f.status().ifPresent(s -> where(sql, args, " AND i.status = ?", s.name()));
    f.job().ifPresent(j -> where(sql, args, " AND i.job_id = ?", j.value()));
    f.command().ifPresent(c -> where(sql, args, " AND i.command_id = ?", c.value()));
    f.since().ifPresent(t -> where(sql, args, " AND i.created_at >= ?", JdbcRows.text(t)));
    f.until().ifPresent(t -> where(sql, args, " AND i.created_at < ?", JdbcRows.text(t)));
    f.instance().ifPresent(n -> where(sql, args, " AND EXISTS (SELECT 1 FROM invocation_instance ii"
        + " WHERE ii.invoke_id = i.invoke_id AND ii.instance_id = ?)", n.value()));
    f.after().ifPresent(p -> {
      String at = JdbcRows.text(p.createdAt());
      // created_at <= ? first: the index on created_at bounds the scan.
      sql.append(" AND i.created_at <= ? AND (i.created_at < ? OR i.invoke_id < ?)");
      args.addAll(List.of(at, at, p.invokeId().value()));
    });
    sql.append(" ORDER BY i.created_at DESC, i.invoke_id DESC LIMIT ?");
    args.add(rows);
    return JdbcRows.query(db, sql.toString(), args, JdbcRows::invocation);
  }

  /** A page of invocations with their command, parameters and instances. */
  public Slice<InvocationView> page(InvocationPageFilter filter) {
    List<Invocation> rows = invocations(filter, filter.limit() + 1);
    Slice<Invocation> slice = Slice.of(rows, filter.limit());
    return new Slice<>(views(slice.items()), slice.more());
  }

  public Optional<InvocationView> find(InvokeId id) {
    return views(JdbcRows.query(db, "SELECT * FROM invocation WHERE invoke_id = ?", List.of(id.value()),
        JdbcRows::invocation)).stream().findFirst();
  }

  private List<InvocationView> views(List<Invocation> invocations) {
    if (invocations.isEmpty()) {
      return List.of();
    }
    List<String> ids = invocations.stream().map(i -> i.id().value()).toList();
    String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
    Map<String, String[]> commands = new LinkedHashMap<>();
    JdbcRows.query(db, "SELECT invoke_id, command_content, parameters FROM invocation WHERE invoke_id IN ("
        + marks + ")", ids, rs -> commands.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)}));
    Map<String, List<InvocationView.InstanceView>> instances = new LinkedHashMap<>();
    JdbcRows.query(db, "SELECT invoke_id, instance_id, status, repeats, skipped, stopped_at FROM invocation_instance"
        + " WHERE invoke_id IN (" + marks + ") ORDER BY invoke_id, instance_no", ids,
        rs -> instances.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(instance(rs)));
    return invocations.stream().map(i -> {
      String[] command = commands.get(i.id().value());
      return new InvocationView(i, command[0], Json.readStringMap(command[1]),
          instances.getOrDefault(i.id().value(), List.of()));
    }).toList();
  }

  private static InvocationView.InstanceView instance(ResultSet rs) throws SQLException {
    return new InvocationView.InstanceView(new InstanceId(rs.getString("instance_id")),
        RecordStatus.valueOf(rs.getString("status")), rs.getInt("repeats"), rs.getInt("skipped"),
        JdbcRows.time(rs, "stopped_at"));
  }

  /**
   * Output characters a page of records holds at most: a page stops before the record that would
   * take it past this (a record larger than it is a page of its own). With outputs of up to {@code outputBytes} each (16 MiB
   * at most), a page of 100 could otherwise hold gigabytes, read into memory and then escaped
   * into one JSON text several times its size.
   */
  public static final long PAGE_OUTPUT_BUDGET = 4L * 1024 * 1024;

  /**
   * A page of the records of one invocation; see {@link RecordPageFilter} for the two orders. The
   * page ends early, with more to follow, before its outputs pass {@link #PAGE_OUTPUT_BUDGET}: the
   * page's rows are chosen by their output lengths first, and only those rows are read whole.
   */
  public Slice<RecordView> records(RecordPageFilter f) {
    StringBuilder sql = new StringBuilder("SELECT r.record_id, length(r.output) FROM invocation_record r"
        + " WHERE r.invoke_id = ?");
    List<Object> args = new ArrayList<>(List.of(f.invokeId().value()));
    f.instance().ifPresent(n -> where(sql, args, " AND r.instance_id = ?", n.value()));
    f.status().ifPresent(s -> where(sql, args, " AND r.status = ?", s.name()));
    if (f.history()) {
      f.afterRecord().ifPresent(id -> where(sql, args, " AND r.record_id < ?", id));
      sql.append(" ORDER BY r.record_id DESC");
    } else {
      f.afterInstance().ifPresent(n -> where(sql, args, " AND r.instance_id > ?", n.value()));
      // Along the unique (invoke_id, instance_id, repeat_no) index.
      sql.append(" AND r.repeat_no = (SELECT max(m.repeat_no) FROM invocation_record m"
          + " WHERE m.invoke_id = r.invoke_id AND m.instance_id = r.instance_id)");
      sql.append(" ORDER BY r.instance_id");
    }
    sql.append(" LIMIT ?");
    args.add(f.limit() + 1);
    List<long[]> sizes = JdbcRows.query(db, sql.toString(), args, rs -> new long[] {rs.getLong(1), rs.getLong(2)});
    List<Long> ids = new ArrayList<>();
    long output = 0;
    for (long[] row : sizes.subList(0, Math.min(sizes.size(), f.limit()))) {
      if (!ids.isEmpty() && output + row[1] > PAGE_OUTPUT_BUDGET) {
        break;
      }
      ids.add(row[0]);
      output += row[1];
    }
    boolean more = sizes.size() > ids.size();
    if (ids.isEmpty()) {
      return new Slice<>(List.of(), false);
    }
    Map<Long, RecordView> byId = new LinkedHashMap<>();
    JdbcRows.query(db, "SELECT r.* FROM invocation_record r WHERE r.record_id IN ("
            + String.join(", ", Collections.nCopies(ids.size(), "?")) + ")", ids,
        rs -> byId.put(rs.getLong("record_id"),
            new RecordView(JdbcRows.record(rs), Optional.ofNullable(rs.getString("node_id")))));
    // A record deleted by retention between the two reads is left out of the page.
    return new Slice<>(ids.stream().map(byId::get).filter(Objects::nonNull).toList(), more);
  }

  private static void where(StringBuilder sql, List<Object> args, String clause, Object value) {
    sql.append(clause);
    args.add(value);
  }
}
