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
 */
public record SshSettings(
    String user,
    Optional<Path> identityFile,
    Path knownHosts,
    HostKeyPolicy hostKeyPolicy,
    Duration connectTimeout,
    List<String> keyExchanges) {
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
  }
}
