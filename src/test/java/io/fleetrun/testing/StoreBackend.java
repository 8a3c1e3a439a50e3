package io.fleetrun.testing;

import io.fleetrun.model.DatabaseSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The two databases fleetrun runs on, for store tests that must pass on both ("both databases
 * pass the same store tests"): a test class declares
 *
 * <pre>
 * {@literal @}ParameterizedClass(name = "{0}")
 * {@literal @}MethodSource("io.fleetrun.testing.StoreBackend#both")
 * class SomeStoreTest {
 *   {@literal @}Parameter StoreBackend backend;
 *   {@literal @}TempDir Path dir;
 *   private StoreBackend.Place place;
 *
 *   {@literal @}BeforeEach void open() { place = backend.newPlace(dir); db = Database.open(place.settings()); }
 *   {@literal @}AfterEach void close() { db.close(); place.close(); }
 * }
 * </pre>
 *
 * <p>and runs once on a new SQLite file and once on a new PostgreSQL database (created and
 * dropped per {@link Place}). On PostgreSQL, {@link #newPlace} skips outside CI and fails under
 * CI when no server answers ({@link PostgresServer#requireAvailable()}).
 */
public enum StoreBackend {
  SQLITE,
  POSTGRESQL;

  /** Both backends, SQLite first: the source of a {@code @ParameterizedClass}. */
  public static List<StoreBackend> both() {
    return List.of(SQLITE, POSTGRESQL);
  }

  /** A new, empty database of this backend; {@code dir} holds the SQLite file. */
  public Place newPlace(Path dir) {
    if (this == SQLITE) {
      return new Place(DatabaseSettings.of("jdbc:sqlite:" + dir.resolve("fleetrun.db")), Optional.empty());
    }
    PostgresServer.requireAvailable();
    PostgresServer.TestDatabase pg = PostgresServer.createDatabase("store");
    return new Place(pg.settings(), Optional.of(pg));
  }

  /** One test's database; {@link #close()} drops it on PostgreSQL (close the pools first). */
  public record Place(DatabaseSettings settings, Optional<PostgresServer.TestDatabase> postgres)
      implements AutoCloseable {
    public String url() {
      return settings.url();
    }

    @Override
    public void close() {
      postgres.ifPresent(PostgresServer.TestDatabase::close);
    }
  }
}
