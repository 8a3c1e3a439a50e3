package io.fleetrun.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Times every query of {@link QueryPlanTest} (the README's, the CLI's and retention's) on a
 * file made by {@link RecordGenerator}: the median of 11 runs after one warm-up, in ms. Not a
 * test; run as {@code java -cp 'target/classes:target/test-classes:target/lib/*'
 * io.fleetrun.store.QueryTimes /tmp/1m.db} from the checkout (it reads README.md).
 */
public final class QueryTimes {
  private QueryTimes() {}

  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + args[0] + "?open_mode=1")) {
      List<String> queries = Stream.of(QueryPlanTest.readmeQueries(), QueryPlanTest.cliQueries(),
          QueryPlanTest.retentionQueries()).flatMap(s -> s).map(QueryTimes::onGeneratedData).toList();
      for (String sql : queries) {
        long[] ns = new long[11];
        run(c, sql);
        for (int i = 0; i < ns.length; i++) {
          long t0 = System.nanoTime();
          run(c, sql);
          ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        System.out.printf("%8.2f ms  %s%n", ns[ns.length / 2] / 1e6, sql);
      }
    }
  }

  /** The sample ids of the plan test, as the generator names things (worst cases: the big periodic one). */
  private static String onGeneratedData(String sql) {
    return sql.replace("'t-1'", "'" + RecordGenerator.PERIODIC + "'")
        .replace("'t-4kq9z2m7xw1c'", "'" + RecordGenerator.PERIODIC + "'")
        .replace("'web-1'", "'host-0001'")
        .replace("record_id < 500", "record_id < 150000")
        .replace("record_id < 400", "record_id < 149900");
  }

  private static int run(Connection c, String sql) throws Exception {
    int rows = 0;
    try (PreparedStatement st = c.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        rows++;
      }
    }
    return rows;
  }
}
