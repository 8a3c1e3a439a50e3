package io.fleetrun.model;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A target host, with the SSH defaults of the config already applied.
 *
 * @param identityFile private key (OpenSSH format) to offer, if any
 * @param password where to read a password from, if password authentication is wanted
 */
public record Instance(
    InstanceId id,
    String host,
    int port,
    String user,
    Optional<Path> identityFile,
    Optional<SecretRef> password,
    Set<String> tags) {
  public Instance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(identityFile, "identityFile");
    Objects.requireNonNull(password, "password");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }
    tags = Set.copyOf(tags);
  }
}
