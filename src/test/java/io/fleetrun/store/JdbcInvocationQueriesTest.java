package io.fleetrun.store;

import org.junit.jupiter.api.AfterEach;

/**
 * The CLI's plain-JDBC reads answer as the jOOQ ones do: every test of {@link
 * JooqInvocationQueriesTest}, through a read-only connection opened beside the writing one.
 */
class JdbcInvocationQueriesTest extends JooqInvocationQueriesTest {
  private ReadOnlyDatabase reader;

  @Override
  InvocationQueries queries(Database db) {
    reader = ReadOnlyDatabase.openExisting(db.jdbcUrl());
    return new JdbcInvocationQueries(reader);
  }

  @AfterEach
  void closeReader() {
    reader.close();
  }
}
