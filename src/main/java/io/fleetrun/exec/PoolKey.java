package io.fleetrun.exec;

import io.fleetrun.model.Instance;
import io.fleetrun.model.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * What makes a kept connection fit a run: the instance, where and as whom it logs in, and with
 * which credentials. Key and password files are named by their path and their modification time
 * and size (never their content), so a key rotated in place gets a new connection too. Host-key settings are the
 * executor's and change only with a restart, so they need no place here.
 *
 * @param keyStamp modification time and size of the identity file, or {@code -} without one
 * @param passwordStamp the same of a password file (a password in the environment cannot change
 *     while the daemon runs)
 */
record PoolKey(String instanceId, String host, int port, String user,
    Optional<Path> identityFile, String keyStamp, Optional<SecretRef> password,
    String passwordStamp) {

  /** The key of {@code instance} now (reads the identity file's attributes, not its content). */
  static PoolKey of(Instance instance) {
    return new PoolKey(instance.id().value(), instance.host(), instance.port(), instance.user(),
        instance.identityFile(), stamp(instance.identityFile()), instance.password(),
        stamp(instance.password().flatMap(p -> p instanceof SecretRef.File f
            ? Optional.of(f.path()) : Optional.empty())));
  }

  /** Whether this key is for the same instance as {@code other} (whatever else changed). */
  boolean sameInstance(PoolKey other) {
    return instanceId.equals(other.instanceId);
  }

  private static String stamp(Optional<Path> file) {
    if (file.isEmpty()) {
      return "-";
    }
    try {
      BasicFileAttributes a = Files.readAttributes(file.get(), BasicFileAttributes.class);
      return a.lastModifiedTime().toMillis() + "/" + a.size();
    } catch (IOException e) {
      return "unreadable"; // the login reports the real problem
    }
  }
}
