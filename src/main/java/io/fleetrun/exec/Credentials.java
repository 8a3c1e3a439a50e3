package io.fleetrun.exec;

import io.fleetrun.model.Instance;
import io.fleetrun.model.SecretFiles;
import io.fleetrun.model.SecretRef;
import io.fleetrun.model.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Reads the credentials of an instance: private keys (OpenSSH files) and passwords from a
 * {@link SecretRef}. Both are read afresh for every run, so a key or password rotated in place
 * applies to the next run; parsing a key costs far less than the SSH handshake it serves.
 * Failures name the file or variable, never the secret. A key or password file that group or
 * others may open is refused, naming the file and the fix.
 */
final class Credentials {
  /** What to offer to one target. */
  record Offer(List<KeyPair> keys, Optional<String> password) {
    Offer {
      keys = List.copyOf(keys);
      Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
      return "Offer[" + keys.size() + " keys, password " + password.isPresent() + "]";
    }
  }

  /** A credential could not be read; the message is safe to show. */
  static final class UnavailableException extends Exception {
    UnavailableException(String message) {
      super(message);
    }
  }

  private final Function<String, String> environment;

  /** @param environment looks up environment variables (System::getenv outside tests) */
  Credentials(Function<String, String> environment) {
    this.environment = environment;
  }

  /** Reads what {@code instance} offers. May touch the disk: not for I/O threads. */
  Offer load(Instance instance) throws UnavailableException {
    List<KeyPair> keys =
        instance.identityFile().isPresent() ? keys(instance.identityFile().get()) : List.of();
    Optional<String> password =
        instance.password().isPresent()
            ? Optional.of(secret(instance.password().get()))
            : Optional.empty();
    return new Offer(keys, password);
  }

  private List<KeyPair> keys(Path file) throws UnavailableException {
    requirePrivate(file, "private key");
    List<KeyPair> loaded = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      // No passphrase provider: an encrypted key is reported as unreadable rather than prompting.
      Iterable<KeyPair> pairs =
          SecurityUtils.loadKeyPairIdentities(
              null, NamedResource.ofName(file.toString()), in, FilePasswordProvider.EMPTY);
      if (pairs != null) {
        pairs.forEach(loaded::add);
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new UnavailableException(
          "cannot read private key " + file + ": " + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
    if (loaded.isEmpty()) {
      throw new UnavailableException("no private key found in " + file);
    }
    return List.copyOf(loaded);
  }

  /**
   * Checked again at each read although config validation checks it too: the file may have been
   * loosened since, and a key others can read is no longer a secret (OpenSSH ignores such a key).
   */
  private static void requirePrivate(Path file, String what) throws UnavailableException {
    Optional<String> tooOpen = SecretFiles.tooOpen(file, what);
    if (tooOpen.isPresent()) {
      throw new UnavailableException(tooOpen.get());
    }
  }

  private String secret(SecretRef ref) throws UnavailableException {
    try {
      return Secrets.read(ref, environment, "password file");
    } catch (Secrets.UnavailableException e) {
      throw new UnavailableException(e.getMessage());
    }
  }
}
