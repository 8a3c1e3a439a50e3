package io.fleetrun.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Files and folders only their owner may open: fleetrun's database (with its {@code -wal} and
 * {@code -shm}), its log files and the folders it creates for them hold script outputs and
 * parameters. Modes are set explicitly rather than left to the umask, which fleetrun does not
 * choose (a login shell gives 022; Java cannot change it). On a file system without POSIX
 * permissions the files are created as the platform does.
 */
public final class PrivateFiles {
  /** {@code rw-------}. */
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  /** {@code rwx------}. */
  public static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");

  private static final Set<PosixFilePermission> OWNER =
      EnumSet.of(
          PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE);

  private PrivateFiles() {}

  /**
   * What was done to a file that group or others could open.
   *
   * @param file the file
   * @param before its mode before, like {@code rw-r--r--}
   * @param after its mode now
   */
  public record Tightened(Path file, String before, String after) {
    /** One line for a WARN. */
    @Override
    public String toString() {
      return "%s was open to group or others (%s); made it %s".formatted(file, before, after);
    }
  }

  /**
   * Creates {@code folder} and its missing parents {@code rwx------}. Folders that exist are left
   * as they are: they may be shared ones like {@code /var/lib}.
   */
  public static void createFolders(Path folder) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = folder.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
      missing.push(p);
    }
    while (!missing.isEmpty()) {
      Path p = missing.pop();
      try {
        try {
          Files.createDirectory(p, PosixFilePermissions.asFileAttribute(FOLDER));
        } catch (UnsupportedOperationException e) {
          Files.createDirectory(p);
        }
        setMode(p, FOLDER);
      } catch (FileAlreadyExistsException e) {
        // Created meanwhile by someone else (another fleetrun process): theirs to set.
        if (!Files.isDirectory(p)) {
          throw e;
        }
      }
    }
  }

  /** Makes an existing folder {@code rwx------}: for folders fleetrun owns, like the demo's. */
  public static void makeFolderPrivate(Path folder) throws IOException {
    setMode(folder, FOLDER);
  }

  /**
   * Creates {@code file} empty and {@code rw-------} when it is missing; when it exists and group
   * or others have any permission on it, takes those away (the owner's are kept).
   *
   * @return what was tightened, for the caller to log
   */
  public static Optional<Tightened> createOrTighten(Path file) throws IOException {
    try {
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
      setMode(file, FILE);
      return Optional.empty();
    } catch (FileAlreadyExistsException e) {
      return tighten(file);
    }
  }

  /**
   * Takes group's and others' permissions away from {@code file} when it exists and has any. A
   * symbolic link is followed: its target's mode is read and set (a link's own mode is always
   * {@code rwxrwxrwx} and guards nothing), as {@link io.fleetrun.model.SecretFiles} does for keys.
   * A dangling link is left alone.
   *
   * @return what was tightened, for the caller to log
   */
  public static Optional<Tightened> tighten(Path file) throws IOException {
    // Following is what an operator expects (a database on another disk reached by a link; a log
    // file, which logback itself opens through the link and writes to). A link planted in a log
    // folder by someone who can write there points fleetrun at any file its user owns (as root:
    // any file); this can only take group's and others' bits away, while logback appending to
    // that file is the larger harm and is kept out by the private folder, not by this method.
    Set<PosixFilePermission> mode;
    try {
      mode = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException | NoSuchFileException e) {
      return Optional.empty();
    }
    if (OWNER.containsAll(mode)) {
      return Optional.empty();
    }
    Set<PosixFilePermission> owners = EnumSet.noneOf(PosixFilePermission.class);
    owners.addAll(mode);
    owners.retainAll(OWNER);
    Files.setPosixFilePermissions(file, owners);
    return Optional.of(
        new Tightened(
            file, PosixFilePermissions.toString(mode), PosixFilePermissions.toString(owners)));
  }

  /**
   * Set again after creating: the mode given at creation keeps group and others out, but the
   * umask may also have cut one of the owner's bits.
   */
  private static void setMode(Path p, Set<PosixFilePermission> mode) throws IOException {
    try {
      Files.setPosixFilePermissions(p, mode);
    } catch (UnsupportedOperationException e) {
      // No POSIX permissions here (Windows): nothing to set.
    }
  }
}
