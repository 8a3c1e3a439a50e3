package io.fleetrun.config;

import io.fleetrun.model.ClusterSettings;
import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.HttpSettings;
import io.fleetrun.model.Limits;
import io.fleetrun.model.Notification;
import io.fleetrun.model.Retention;
import io.fleetrun.model.SshSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded, validated config file.
 *
 * @param source the file it was read from (absolute)
 * @param database where the database is ({@code database:}); a relative SQLite path is already
 *     resolved against the config file's folder
 * @param retention how long finished work is kept ({@code retention:})
 * @param cluster this daemon's node id in a PostgreSQL cluster ({@code cluster:})
 * @param notifications the webhooks ({@code notifications:}), in config order
 * @param http the HTTP server ({@code http:}); empty: no HTTP server
 */
public record FleetConfig(
    Path source,
    DatabaseSettings database,
    SshSettings ssh,
    Limits limits,
    Fleet fleet,
    Retention retention,
    ClusterSettings cluster,
    Optional<HttpSettings> http,
    List<Notification> notifications) {
  public FleetConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(ssh, "ssh");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(http, "http");
    notifications = List.copyOf(notifications);
  }

  /** A config without a {@code notifications:} section. */
  public FleetConfig(
      Path source, DatabaseSettings database, SshSettings ssh, Limits limits, Fleet fleet,
      Retention retention, ClusterSettings cluster, Optional<HttpSettings> http) {
    this(source, database, ssh, limits, fleet, retention, cluster, http, List.of());
  }

  /** A config without an {@code http:} or a {@code notifications:} section. */
  public FleetConfig(
      Path source, DatabaseSettings database, SshSettings ssh, Limits limits, Fleet fleet,
      Retention retention, ClusterSettings cluster) {
    this(source, database, ssh, limits, fleet, retention, cluster, Optional.empty(), List.of());
  }

  /** A config without a {@code cluster:} section. */
  public FleetConfig(
      Path source, DatabaseSettings database, SshSettings ssh, Limits limits, Fleet fleet,
      Retention retention) {
    this(source, database, ssh, limits, fleet, retention, ClusterSettings.defaults(source));
  }

  /** A config on the database {@code databaseUrl} names alone (a SQLite file, in tests). */
  public FleetConfig(
      Path source, String databaseUrl, SshSettings ssh, Limits limits, Fleet fleet,
      Retention retention) {
    this(source, DatabaseSettings.of(databaseUrl), ssh, limits, fleet, retention);
  }

  /** A config that keeps everything (no {@code retention:} section). */
  public FleetConfig(Path source, String databaseUrl, SshSettings ssh, Limits limits, Fleet fleet) {
    this(source, databaseUrl, ssh, limits, fleet, Retention.keepEverything());
  }

  /** The database's JDBC URL. */
  public String databaseUrl() {
    return database.url();
  }
}
