package io.fleetrun.store;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A database's tables as JDBC's {@link DatabaseMetaData} tells them, in terms SQLite and
 * PostgreSQL share, so that two migrated schemas can be compared in meaning: names in lower case
 * (PostgreSQL folds the unquoted {@code QRTZ_} names), declared types as families ({@code
 * VARCHAR(200)} and {@code varchar}, {@code TEXT} and {@code text} are all TEXT), defaults
 * without PostgreSQL's casts, keys and indexes by their columns (their names differ by design:
 * PostgreSQL names the key indexes, SQLite does not). Check constraints and partial-index
 * predicates are not in JDBC's metadata and are not compared.
 */
record SchemaCatalog(Map<String, Table> tables) {
  /** Tables that are the migrator's, not the schema's. */
  private static final Set<String> IGNORED = Set.of("flyway_schema_history", "sqlite_sequence");

  record Column(String name, String family, boolean nullable, String defaultValue) {
    @Override
    public String toString() {
      return name + " " + family + (nullable ? " NULL" : " NOT NULL")
          + (defaultValue == null ? "" : " DEFAULT " + defaultValue);
    }
  }

  /**
   * One table: its columns in order, its primary key's columns, its other unique and plain
   * indexes as {@code "UNIQUE (a, b)"} / {@code "INDEX (a)"}, its foreign keys as {@code "(a, b)
   * -> other (a, b)"}.
   */
  record Table(String name, List<Column> columns, List<String> primaryKey,
      SortedSet<String> indexes, SortedSet<String> foreignKeys) {}

  /** Reads every table of {@code connection}'s current schema. */
  static SchemaCatalog read(Connection connection) throws SQLException {
    DatabaseMetaData meta = connection.getMetaData();
    String schema = connection.getSchema();
    List<String> names = new ArrayList<>();
    try (ResultSet rs = meta.getTables(null, schema, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        names.add(rs.getString("TABLE_NAME"));
      }
    }
    Map<String, Table> tables = new TreeMap<>();
    for (String name : names) {
      String key = lower(name);
      if (IGNORED.contains(key) || key.startsWith("sqlite_")) {
        continue;
      }
      List<String> primaryKey = primaryKey(meta, schema, name);
      tables.put(key, new Table(key, columns(meta, schema, name, primaryKey), primaryKey,
          indexes(meta, schema, name, primaryKey), foreignKeys(meta, schema, name)));
    }
    return new SchemaCatalog(tables);
  }

  /** This catalogue without {@code table}'s column {@code column} (one a backend has by design). */
  SchemaCatalog withoutColumn(String table, String column) {
    Map<String, Table> copy = new TreeMap<>(tables);
    Table t = copy.get(table);
    if (t != null) {
      copy.put(table, new Table(t.name, t.columns.stream().filter(c -> !c.name.equals(column)).toList(),
          t.primaryKey, t.indexes, t.foreignKeys));
    }
    return new SchemaCatalog(copy);
  }

  /** Every way {@code actual} differs from {@code expected}, one line each; empty when equal. */
  static List<String> differences(SchemaCatalog expected, SchemaCatalog actual) {
    List<String> out = new ArrayList<>();
    for (String name : union(expected.tables.keySet(), actual.tables.keySet())) {
      Table e = expected.tables.get(name);
      Table a = actual.tables.get(name);
      if (e == null || a == null) {
        out.add("table " + name + (e == null ? ": only in the second schema" : ": missing in the second schema"));
        continue;
      }
      List<String> eCols = e.columns.stream().map(Column::name).toList();
      List<String> aCols = a.columns.stream().map(Column::name).toList();
      if (!eCols.equals(aCols)) {
        out.add(name + ": columns " + eCols + " but " + aCols);
      }
      for (Column ec : e.columns) {
        a.columns.stream().filter(c -> c.name.equals(ec.name)).findFirst()
            .filter(ac -> !ac.equals(ec))
            .ifPresent(ac -> out.add(name + "." + ec.name + ": " + ec + " but " + ac));
      }
      compare(out, name, "primary key", e.primaryKey, a.primaryKey);
      compare(out, name, "indexes", e.indexes, a.indexes);
      compare(out, name, "foreign keys", e.foreignKeys, a.foreignKeys);
    }
    return out;
  }

  private static void compare(List<String> out, String table, String what, Object e, Object a) {
    if (!Objects.equals(e, a)) {
      out.add(table + ": " + what + " " + e + " but " + a);
    }
  }

  private static SortedSet<String> union(Collection<String> a, Collection<String> b) {
    SortedSet<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  private static List<Column> columns(DatabaseMetaData meta, String schema, String table,
      List<String> primaryKey) throws SQLException {
    List<Column> columns = new ArrayList<>();
    try (ResultSet rs = meta.getColumns(null, schema, table, "%")) {
      while (rs.next()) {
        String name = lower(rs.getString("COLUMN_NAME"));
        // SQLite lets a key column that is not an INTEGER rowid hold NULL unless it says NOT
        // NULL; no fleetrun key ever holds one, so a key column counts as NOT NULL on both.
        boolean nullable = "YES".equals(rs.getString("IS_NULLABLE")) && !primaryKey.contains(name);
        columns.add(new Column(name, family(rs.getString("TYPE_NAME")), nullable,
            defaultValue(rs.getString("COLUMN_DEF"))));
      }
    }
    return columns;
  }

  private static List<String> primaryKey(DatabaseMetaData meta, String schema, String table)
      throws SQLException {
    Map<Integer, String> bySeq = new TreeMap<>();
    try (ResultSet rs = meta.getPrimaryKeys(null, schema, table)) {
      while (rs.next()) {
        bySeq.put(rs.getInt("KEY_SEQ"), lower(rs.getString("COLUMN_NAME")));
      }
    }
    return List.copyOf(bySeq.values());
  }

  private static SortedSet<String> indexes(DatabaseMetaData meta, String schema, String table,
      List<String> primaryKey) throws SQLException {
    Map<String, Map<Integer, String>> columns = new TreeMap<>();
    Map<String, Boolean> unique = new TreeMap<>();
    try (ResultSet rs = meta.getIndexInfo(null, schema, table, false, true)) {
      while (rs.next()) {
        String index = rs.getString("INDEX_NAME");
        if (index == null || rs.getShort("TYPE") == DatabaseMetaData.tableIndexStatistic) {
          continue;
        }
        columns.computeIfAbsent(index, k -> new TreeMap<>())
            .put((int) rs.getShort("ORDINAL_POSITION"), lower(rs.getString("COLUMN_NAME")));
        unique.put(index, !rs.getBoolean("NON_UNIQUE"));
      }
    }
    SortedSet<String> indexes = new TreeSet<>();
    columns.forEach((index, cols) -> {
      List<String> list = List.copyOf(cols.values());
      boolean isUnique = unique.get(index);
      if (!(isUnique && list.equals(primaryKey))) { // the key's own index (PostgreSQL names it)
        indexes.add((isUnique ? "UNIQUE " : "INDEX ") + "(" + String.join(", ", list) + ")");
      }
    });
    return indexes;
  }

  private static SortedSet<String> foreignKeys(DatabaseMetaData meta, String schema, String table)
      throws SQLException {
    // Grouped by the referenced table and the key's name (SQLite may leave the name empty; no
    // fleetrun table has two foreign keys to the same table).
    Map<String, Map<Integer, String[]>> keys = new TreeMap<>();
    try (ResultSet rs = meta.getImportedKeys(null, schema, table)) {
      while (rs.next()) {
        String target = lower(rs.getString("PKTABLE_NAME"));
        String group = target + "/" + Objects.requireNonNullElse(rs.getString("FK_NAME"), "");
        keys.computeIfAbsent(group, k -> new TreeMap<>()).put((int) rs.getShort("KEY_SEQ"),
            new String[] {lower(rs.getString("FKCOLUMN_NAME")), target, lower(rs.getString("PKCOLUMN_NAME"))});
      }
    }
    SortedSet<String> out = new TreeSet<>();
    for (Map<Integer, String[]> key : keys.values()) {
      List<String> from = key.values().stream().map(k -> k[0]).toList();
      List<String> to = key.values().stream().map(k -> k[2]).toList();
      String target = key.values().iterator().next()[1];
      out.add("(" + String.join(", ", from) + ") -> " + target + " (" + String.join(", ", to) + ")");
    }
    return out;
  }

  /** The family of a declared (SQLite) or catalogued (PostgreSQL) type name. */
  static String family(String typeName) {
    String type = lower(typeName).replaceAll("\\(.*\\)", "").trim();
    return switch (type) {
      case "text", "varchar", "character varying", "char", "character", "bpchar" -> "TEXT";
      case "integer", "int", "int2", "int4", "int8", "smallint", "bigint", "serial", "bigserial" -> "INTEGER";
      case "boolean", "bool" -> "BOOLEAN";
      case "blob", "bytea" -> "BINARY";
      case "numeric", "decimal" -> "NUMERIC";
      case "real", "float", "float4", "float8", "double", "double precision" -> "REAL";
      default -> "UNKNOWN " + type;
    };
  }

  /** A default as both write it: PostgreSQL's {@code ''::character varying} is {@code ''}. */
  static String defaultValue(String columnDefault) {
    if (columnDefault == null) {
      return null;
    }
    String value = columnDefault.trim();
    while (value.startsWith("(") && value.endsWith(")")) {
      value = value.substring(1, value.length() - 1).trim();
    }
    value = value.replaceAll("::[a-z ]+$", "");
    return value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false") ? lower(value) : value;
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
