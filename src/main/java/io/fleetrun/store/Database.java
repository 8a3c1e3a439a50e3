package io.fleetrun.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetrun.model.DatabaseSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The fleetrun database: a connection pool, the schema migrations of {@code sql/} and a jOOQ
 * context, on SQLite ({@code jdbc:sqlite:/var/lib/fleetrun/fleetrun.db}, the embedded single-node
 * default) or PostgreSQL ({@code jdbc:postgresql://db.example.com:5432/fleetrun}, which several
 * daemons share as one cluster).
 *
 * <p>On PostgreSQL the pool holds {@link #POSTGRESQL_POOL_SIZE} connections and the schema comes
 * from {@code sql/postgresql}; its password is read (environment or private file) for each new
 * connection and never kept in the config. What follows is SQLite's case.
 *
 * <p>SQLite has one writer. The pool therefore holds one connection (several would only get
 * SQLITE_BUSY from each other), callers queue for it for up to {@link #CONNECTION_TIMEOUT}, and
 * every transaction begins IMMEDIATE, taking the write lock at its start: a transaction that
 * read first and upgraded later could fail at once when another process (the CLI) wrote in
 * between, whatever the busy timeout. WAL lets {@code sqlite3} readers work beside the daemon
 * without blocking it; the busy timeout covers short writes of other processes.
 */
public final class Database implements ReadConnections, AutoCloseable {
  /** How long a caller waits for the pool's connection. */
  public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(30);

  /** How long SQLite retries when another process holds the write lock. */
  public static final Duration BUSY_TIMEOUT = Duration.ofSeconds(10);

  /** Class path folder of the SQLite migrations (the files of {@code sql/sqlite}). */
  public static final String SQLITE_MIGRATIONS = "db/migration/sqlite";

  /** Class path folder of the PostgreSQL migrations (the files of {@code sql/postgresql}). */
  public static final String POSTGRESQL_MIGRATIONS = "db/migration/postgresql";

  /**
   * Connections of the main PostgreSQL pool: the record journal's writer, Quartz's worker,
   * misfire and cluster check-in threads, retention and the daemon's reads, with room to spare.
   */
  public static final int POSTGRESQL_POOL_SIZE = 12;

  /** Connections of the PostgreSQL control pool (heartbeat, lease, node beat, control poll). */
  static final int POSTGRESQL_CONTROL_POOL_SIZE = 2;

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  static {
    // jOOQ prints a banner and tips on first use; they are noise in a daemon's log.
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
  }

  private final DatabaseSettings settings;
  private final String jdbcUrl;
  private final Duration busyTimeout;
  /** Where the PostgreSQL password's environment variable is looked up (the control pool opens later). */
  private final Function<String, String> environment;
  private final HikariDataSource pool;
  private final DSLContext dsl;
  private HikariDataSource controlPool;
  private DSLContext controlDsl;
  private HikariDataSource readPool;

  private Database(DatabaseSettings settings, Duration busyTimeout, Function<String, String> environment,
      HikariDataSource pool) {
    this.settings = settings;
    this.jdbcUrl = settings.url();
    this.busyTimeout = busyTimeout;
    this.environment = environment;
    this.pool = pool;
    this.dsl = DSL.using(pool, dialect(settings));
  }

  /**
   * Opens the database at {@code jdbcUrl} for the daemon: creates the SQLite file and its folder
   * when missing and applies pending migrations (idempotent, so opening twice is harmless).
   *
   * <p>The file is created {@code rw-------} and missing folders {@code rwx------}, whatever the
   * umask: records hold outputs and parameters. SQLite gives the {@code -wal} and {@code -shm} it
   * creates the database file's mode. An existing database, {@code -wal} or {@code -shm} that group
   * or others may open is made private, with one WARN line each. A {@code jdbc:postgresql:} URL
   * opens that database as {@link #open(DatabaseSettings)} does, with no role or password.
   *
   * @throws IllegalArgumentException when {@code jdbcUrl} is neither a SQLite nor a PostgreSQL URL
   */
  public static Database open(String jdbcUrl) {
    return open(jdbcUrl, BUSY_TIMEOUT);
  }

  /**
   * As {@link #open(String)}, with {@code busyTimeout} instead of {@link #BUSY_TIMEOUT} (tests
   * that make the database refuse writes).
   */
  public static Database open(String jdbcUrl, Duration busyTimeout) {
    return open(DatabaseSettings.of(jdbcUrl), busyTimeout, System::getenv);
  }

  /**
   * Opens the database {@code settings} names for the daemon and applies pending migrations: a
   * SQLite file as {@link #open(String)} does, or a PostgreSQL database (which must exist; its
   * tables are created in the role's default schema).
   *
   * @throws IllegalStateException when the PostgreSQL password cannot be read or the server
   *     refuses the connection
   */
  public static Database open(DatabaseSettings settings) {
    return open(settings, BUSY_TIMEOUT, System::getenv);
  }

  static Database open(
      DatabaseSettings settings, Duration busyTimeout, Function<String, String> environment) {
    String jdbcUrl = settings.url();
    HikariDataSource pool;
    if (settings.isPostgresql()) {
      pool = PostgresqlPool.open(settings, "fleetrun-db", POSTGRESQL_POOL_SIZE, environment);
    } else {
      sqliteFile(jdbcUrl).ifPresent(Database::makePrivate);
      pool = sqlitePool(jdbcUrl, "fleetrun-db", busyTimeout);
    }
    Database db = new Database(settings, busyTimeout, environment, pool);
    try {
      db.flyway().migrate();
      return db;
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /**
   * Opens a database that the daemon created, for the CLI: writes nothing at open, so it works
   * beside a running daemon.
   *
   * @throws IllegalStateException when the file does not exist or its schema is not up to date
   *     (the daemon applies migrations when it starts)
   */
  public static Database openExisting(String jdbcUrl) {
    return openExisting(DatabaseSettings.of(jdbcUrl));
  }

  /** As {@link #openExisting(String)}, for a SQLite file or a PostgreSQL database. */
  public static Database openExisting(DatabaseSettings settings) {
    String jdbcUrl = settings.url();
    HikariDataSource pool;
    if (settings.isPostgresql()) {
      pool = PostgresqlPool.open(settings, "fleetrun-db", POSTGRESQL_CONTROL_POOL_SIZE, System::getenv);
    } else {
      Optional<Path> file = sqliteFile(jdbcUrl);
      if (file.isPresent() && !Files.isRegularFile(file.get())) {
        throw new IllegalStateException(
            "no fleetrun database at " + file.get() + "; start the daemon first, it creates it");
      }
      pool = sqlitePool(jdbcUrl, "fleetrun-db", BUSY_TIMEOUT);
    }
    Database db = new Database(settings, BUSY_TIMEOUT, System::getenv, pool);
    try {
      // Not Flyway's info(): it costs the CLI about a second; the history table tells as much.
      try (Connection connection = db.pool.getConnection()) {
        Optional<Integer> missing = SchemaVersion.missing(connection, jdbcUrl);
        if (missing.isPresent()) {
          throw new IllegalStateException(SchemaVersion.lacks(jdbcUrl, missing.get()));
        }
      }
      return db;
    } catch (SQLException e) {
      db.close();
      throw new IllegalStateException("cannot read the database at " + DatabaseSettings.redacted(jdbcUrl) + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** The pooled data source, for Quartz's job store. Do not close it; close the database. */
  public DataSource dataSource() {
    return pool;
  }

  /** Where this database is. */
  public DatabaseSettings settings() {
    return settings;
  }

  /** Whether this is a PostgreSQL database (the cluster's) rather than a SQLite file. */
  public boolean isPostgresql() {
    return settings.isPostgresql();
  }

  /** jOOQ over {@link #dataSource()}, in this database's dialect. */
  public DSLContext dsl() {
    return dsl;
  }

  /**
   * jOOQ over a connection of its own, for the daemon's heartbeat, lease and control poll: they
   * must never queue behind a fan-out's writes for the main connection (SQLite still serializes
   * writers, but the wait is then one transaction, not a queue of them). Opened on first use.
   */
  public synchronized DSLContext controlDsl() {
    if (!settings.isPostgresql() && sqliteFile(jdbcUrl).isEmpty()) {
      return dsl; // an in-memory database lives in its one connection
    }
    if (controlDsl == null) {
      controlPool =
          settings.isPostgresql()
              ? PostgresqlPool.open(settings, "fleetrun-db-control", POSTGRESQL_CONTROL_POOL_SIZE, environment)
              : sqlitePool(jdbcUrl, "fleetrun-db-control", busyTimeout);
      controlDsl = DSL.using(controlPool, dialect(settings));
    }
    return controlDsl;
  }

  /** Connections of the read pool ({@link #reads()}). */
  static final int READ_POOL_SIZE = 2;

  /**
   * Connections for reads that others ask for at any rate (the HTTP API), apart from the
   * daemon's: a pool of {@value #READ_POOL_SIZE} of their own, read-only on SQLite (WAL lets
   * them read beside the writer), so a burst of requests never queues a record write behind it.
   * Opened on first use, closed with the database.
   */
  public synchronized ReadConnections reads() {
    if (!settings.isPostgresql() && sqliteFile(jdbcUrl).isEmpty()) {
      return this; // an in-memory database lives in its one connection
    }
    if (readPool == null) {
      readPool = settings.isPostgresql()
          ? PostgresqlPool.open(settings, "fleetrun-db-reads", READ_POOL_SIZE, environment)
          : sqliteReadPool(jdbcUrl, "fleetrun-db-reads", busyTimeout);
    }
    HikariDataSource reads = readPool;
    return new ReadConnections() {
      @Override
      public String jdbcUrl() {
        return jdbcUrl;
      }

      @Override
      public <T> T withConnection(Work<T> work) throws SQLException {
        return on(reads, work);
      }
    };
  }

  private static <T> T on(HikariDataSource source, Work<T> work) throws SQLException {
    try (Connection connection = source.getConnection()) {
      return work.on(connection);
    }
  }

  @Override
  public String jdbcUrl() {
    return jdbcUrl;
  }

  /**
   * Runs {@code work} on the pool's connection (queued behind the daemon's writes for at most
   * {@link #CONNECTION_TIMEOUT}, as jOOQ's reads are) and gives it back: the daemon's and the
   * demo's plain-JDBC reads.
   */
  @Override
  public <T> T withConnection(Work<T> work) throws SQLException {
    return on(pool, work);
  }

  /** Closes the pool; idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (controlPool != null) {
        controlPool.close();
      }
      if (readPool != null) {
        readPool.close();
      }
    }
    pool.close();
  }

  private Flyway flyway() {
    return Flyway.configure()
        .dataSource(pool)
        .locations("classpath:" + (settings.isPostgresql() ? POSTGRESQL_MIGRATIONS : SQLITE_MIGRATIONS))
        .failOnMissingLocations(true)
        .load();
  }

  private static SQLDialect dialect(DatabaseSettings settings) {
    return settings.isPostgresql() ? SQLDialect.POSTGRES : SQLDialect.SQLITE;
  }

  private static HikariDataSource sqlitePool(String jdbcUrl, String name, Duration busyTimeout) {
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
    sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    sqlite.setBusyTimeout((int) busyTimeout.toMillis());
    sqlite.enforceForeignKeys(true);
    sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource source = new SQLiteDataSource(sqlite);
    source.setUrl(jdbcUrl);

    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setDataSource(source);
    config.setMaximumPoolSize(1);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    // Never retire the one connection: for an in-memory database that would drop the data.
    config.setMaxLifetime(0);
    return new HikariDataSource(config);
  }

  /** {@link #READ_POOL_SIZE} read-only connections to a SQLite file. */
  private static HikariDataSource sqliteReadPool(String jdbcUrl, String name, Duration busyTimeout) {
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setReadOnly(true);
    sqlite.setBusyTimeout((int) busyTimeout.toMillis());
    SQLiteDataSource source = new SQLiteDataSource(sqlite);
    source.setUrl(jdbcUrl);
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setDataSource(source);
    config.setMaximumPoolSize(READ_POOL_SIZE);
    config.setMinimumIdle(1);
    config.setReadOnly(true); // as the connections open: sqlite-jdbc refuses a change afterwards
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    return new HikariDataSource(config);
  }

  /** The file of a SQLite URL; empty for an in-memory database. */
  static Optional<Path> sqliteFile(String jdbcUrl) {
    return SqliteUrl.file(jdbcUrl);
  }

  private static void makePrivate(Path file) {
    try {
      PrivateFiles.createFolders(file.getParent());
      List<Optional<PrivateFiles.Tightened>> tightened =
          List.of(
              PrivateFiles.createOrTighten(file),
              PrivateFiles.tighten(file.resolveSibling(file.getFileName() + "-wal")),
              PrivateFiles.tighten(file.resolveSibling(file.getFileName() + "-shm")));
      tightened.forEach(t -> t.ifPresent(done -> log.warn("{}", done)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create or protect " + file + ": " + e.getMessage(), e);
    }
  }
}
