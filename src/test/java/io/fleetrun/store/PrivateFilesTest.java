package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Modes are set explicitly, so these hold under any umask; PrivateFilesIT runs under 022. */
class PrivateFilesTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({
    "rw-r--r--, rw-------",
    "rw-r-----, rw-------",
    "r--r--r--, r--------",
    "rw--w----, rw-------",
    "rwxr-xr-x, rwx------"
  })
  void tighteningTakesAwayGroupAndOthersAndKeepsTheOwnersBits(String before, String after)
      throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(before));

    assertThat(PrivateFiles.createOrTighten(file))
        .hasValueSatisfying(
            t -> assertThat(t.toString()).isEqualTo(file + " was open to group or others ("
                + before + "); made it " + after));
    assertThat(mode(file)).isEqualTo(after);
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  @Test
  void aPrivateFileIsLeftAloneAndAMissingOneIsCreatedPrivate() throws Exception {
    Path existing = Files.writeString(dir.resolve("e"), "x");
    Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("r--------"));
    assertThat(PrivateFiles.createOrTighten(existing)).isEmpty();
    assertThat(mode(existing)).isEqualTo("r--------");

    Path created = dir.resolve("new");
    assertThat(PrivateFiles.createOrTighten(created)).isEmpty();
    assertThat(mode(created)).isEqualTo("rw-------");
    assertThat(PrivateFiles.tighten(dir.resolve("absent"))).isEmpty();
  }

  @Test
  void aLinkIsFollowedTheTargetGetsItsOwnOwnerBitsAndASecondCallFindsNothingToDo() throws Exception {
    // A database on another disk, or a log file, reached through a symbolic link: the target's
    // mode is what guards the data, so the target is read and set, not the link's own rwxrwxrwx.
    Path target = Files.writeString(dir.resolve("target"), "x");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);

    assertThat(PrivateFiles.createOrTighten(link))
        .hasValueSatisfying(t -> assertThat(t.toString())
            .isEqualTo(link + " was open to group or others (rw-r-----); made it rw-------"));
    assertThat(mode(target)).as("no execute bit from the link's own mode").isEqualTo("rw-------");
    assertThat(Files.isSymbolicLink(link)).isTrue();

    assertThat(PrivateFiles.createOrTighten(link)).as("no WARN on every start").isEmpty();
    assertThat(PrivateFiles.tighten(link)).isEmpty();
    assertThat(mode(target)).isEqualTo("rw-------");
  }

  @Test
  void aDanglingLinkIsLeftAlone() throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));

    assertThat(PrivateFiles.tighten(link)).isEmpty();
    assertThat(Files.exists(dir.resolve("nowhere"))).isFalse();
  }

  @Test
  void onlyTheFoldersThatWereMissingAreCreatedPrivate() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));

    PrivateFiles.createFolders(shared.resolve("a/b"));

    assertThat(mode(shared)).isEqualTo("rwxr-xr-x");
    assertThat(mode(shared.resolve("a"))).isEqualTo("rwx------");
    assertThat(mode(shared.resolve("a/b"))).isEqualTo("rwx------");
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
