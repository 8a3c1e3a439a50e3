package io.fleetrun.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The rule OpenSSH applies to a private key ("UNPROTECTED PRIVATE KEY FILE"), applied by fleetrun
 * to its private keys and password files: a file that group or others have any permission on is
 * refused. Unlike OpenSSH, which checks only a key its user owns, the bits are checked whoever
 * owns the file: a key that others may read is no longer a secret, whoever made it so.
 */
public final class SecretFiles {
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private SecretFiles() {}

  /**
   * Why {@code file} must not be used, naming it and the fix; empty when only its owner may open
   * it, when it does not exist (reading it reports that) or when the file system has no POSIX
   * permissions.
   *
   * @param what what the file is, like "private key" or "password file"
   */
  public static Optional<String> tooOpen(Path file, String what) {
    Set<PosixFilePermission> mode;
    try {
      // Follows links, as reading does: the target's mode is what matters.
      mode = Files.getPosixFilePermissions(file);
    } catch (NoSuchFileException | UnsupportedOperationException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // unreadable metadata: reading the file reports the cause
    }
    if (mode.stream().noneMatch(GROUP_OR_OTHERS::contains)) {
      return Optional.empty();
    }
    return Optional.of(
        "%s %s may be opened by group or others (%s); it must be private to its owner, as OpenSSH"
                .formatted(what, file, PosixFilePermissions.toString(mode))
            + " requires of a private key: run chmod 600 " + file);
  }
}
