package io.fleetrun.demo;

import io.fleetrun.cli.CliFailure;
import io.fleetrun.cli.ExitCodes;
import io.fleetrun.store.PrivateFiles;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The demo's folder, emptied before each demo. Only a folder that is empty or that an earlier
 * demo wrote (it holds {@link #MARKER}) is emptied, so {@code --dir ~} cannot wipe a home folder.
 */
final class DemoFolder {
  /** Written into the folder by the demo; its presence allows the next demo to empty it. */
  static final String MARKER = ".fleetrun-demo";

  /** What demos wrote before the marker existed: such a folder is an earlier demo's too. */
  private static final Set<String> OLD_DEMO_FILES =
      Set.of("ssh", "fleetrun-demo.yaml", "fleetrun.db", "fleetrun.db-wal", "fleetrun.db-shm");

  private DemoFolder() {}

  /**
   * Makes {@code folder} an empty folder holding only the marker, {@code rwx------}.
   *
   * @throws CliFailure when it is not a folder, or holds files the demo did not write
   */
  static void prepare(Path folder) throws IOException {
    if (Files.exists(folder, LinkOption.NOFOLLOW_LINKS)
        && !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      throw new CliFailure(
          "demo: " + folder + " is not a folder; choose another --dir", ExitCodes.USAGE);
    }
    if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isRegularFile(folder.resolve(MARKER)) && !holdsOnlyOldDemoFiles(folder)) {
        throw new CliFailure(
            ("demo: %s holds files the demo did not write (no %s in it); the demo empties its"
                    + " folder, so give an empty or new one with --dir")
                .formatted(folder, MARKER),
            ExitCodes.USAGE);
      }
      empty(folder);
    }
    // Private: the demo's database holds outputs, its ssh folder a private key.
    PrivateFiles.createFolders(folder);
    PrivateFiles.makeFolderPrivate(folder); // an earlier demo's folder may predate this rule
    Files.writeString(folder.resolve(MARKER), "written by fleetrun demo; the next demo empties this folder\n");
  }

  /** True also for an empty folder. */
  private static boolean holdsOnlyOldDemoFiles(Path folder) throws IOException {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.allMatch(p -> OLD_DEMO_FILES.contains(p.getFileName().toString()));
    }
  }

  /** Deletes what is inside; {@code walk} does not follow links, so a link is deleted, not its target. */
  private static void empty(Path folder) throws IOException {
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(folder)) {
          Files.delete(p);
        }
      }
    }
  }

  /**
   * A new random token for the demo's HTTP API, in {@code file} ({@code rw-------}, in the
   * demo's private folder): 32 random bytes as hex.
   */
  static Path writeToken(Path file) throws IOException {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(file, HexFormat.of().formatHex(bytes) + "\n");
  }

  /** The port the demo's HTTP API listens on: 8620 when it is free, else a free one. */
  static int httpPort() throws IOException {
    for (int port : new int[] {8620, 0}) {
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return probe.getLocalPort();
      } catch (BindException busy) {
        // 8620 is taken: any free port
      }
    }
    throw new IOException("no free loopback port for the demo's HTTP API");
  }
}
