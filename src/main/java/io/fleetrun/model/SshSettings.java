package io.fleetrun.model;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * SSH client settings for the whole daemon ({@code ssh:} in config).
 *
 * @param user default login user of instances that name none
 * @param identityFile default private key of instances that name none
 * @param keyExchanges key exchange algorithms in order of preference (MINA names)
 * @param keepAlive how long an idle connection to an instance stays open for the next run;
 *     zero turns reuse off (one connection per run)
 * @param channelsPerConnection exec channels one connection carries at once, a run's kill
 *     channels included ({@value #MIN_CHANNELS}..{@value #MAX_CHANNELS})
 * @param connectionLifetime how long a kept connection takes new runs after it opened; then it
 *     closes once its runs end, so DNS and known_hosts changes reach even a connection that is
 *     never idle (longer than zero)
 */
public record SshSettings(
    String user,
    Optional<Path> identityFile,
    Path knownHosts,
    HostKeyPolicy hostKeyPolicy,
    Duration connectTimeout,
    List<String> keyExchanges,
    Duration keepAlive,
    int channelsPerConnection,
    Duration connectionLifetime) {
  public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofMinutes(5);
  public static final Duration DEFAULT_CONNECTION_LIFETIME = Duration.ofHours(1);
  /** OpenSSH's MaxSessions is 10: 8 carries 4 runs, each with its one kill channel at a time. */
  public static final int DEFAULT_CHANNELS_PER_CONNECTION = 8;
  /** A run and its kill need two channels. */
  public static final int MIN_CHANNELS = 2;
  public static final int MAX_CHANNELS = 64;

  /**
   * curve25519 first: with BouncyCastle present MINA would otherwise start with
   * sntrup761x25519, which costs ~12 ms more client CPU per connection (MINA-SSHD-NOTES.md).
   */
  public static final List<String> DEFAULT_KEY_EXCHANGES =
      List.of("curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
          "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group14-sha256");

  public SshSettings {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(identityFile, "identityFile");
    Objects.requireNonNull(knownHosts, "knownHosts");
    Objects.requireNonNull(hostKeyPolicy, "hostKeyPolicy");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    keyExchanges = List.copyOf(keyExchanges);
    Objects.requireNonNull(keepAlive, "keepAlive");
    if (keepAlive.isNegative()) {
      throw new IllegalArgumentException("keepAlive must not be negative");
    }
    if (channelsPerConnection < MIN_CHANNELS || channelsPerConnection > MAX_CHANNELS) {
      throw new IllegalArgumentException("channelsPerConnection must be between " + MIN_CHANNELS
          + " and " + MAX_CHANNELS + ", got " + channelsPerConnection);
    }
    Objects.requireNonNull(connectionLifetime, "connectionLifetime");
    if (connectionLifetime.isNegative() || connectionLifetime.isZero()) {
      throw new IllegalArgumentException("connectionLifetime must be longer than zero");
    }
  }

  /** Settings with the default {@link #connectionLifetime}. */
  public SshSettings(String user, Optional<Path> identityFile, Path knownHosts,
      HostKeyPolicy hostKeyPolicy, Duration connectTimeout, List<String> keyExchanges,
      Duration keepAlive, int channelsPerConnection) {
    this(user, identityFile, knownHosts, hostKeyPolicy, connectTimeout, keyExchanges, keepAlive,
        channelsPerConnection, DEFAULT_CONNECTION_LIFETIME);
  }

  /**
   * Settings with the default {@link #keepAlive}, {@link #channelsPerConnection} and {@link
   * #connectionLifetime}.
   */
  public SshSettings(String user, Optional<Path> identityFile, Path knownHosts,
      HostKeyPolicy hostKeyPolicy, Duration connectTimeout, List<String> keyExchanges) {
    this(user, identityFile, knownHosts, hostKeyPolicy, connectTimeout, keyExchanges,
        DEFAULT_KEEP_ALIVE, DEFAULT_CHANNELS_PER_CONNECTION);
  }
}
