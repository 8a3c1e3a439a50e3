package io.fleetrun.daemon;

import io.fleetrun.model.ClusterSettings;
import io.fleetrun.store.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This daemon's node id in a PostgreSQL cluster: {@code cluster.nodeId} when the config gives
 * one, else the id kept in {@code cluster.nodeIdFile}, made up on first start as the host name, a
 * dash and six random hex digits (two daemons on one host with separate files differ; a restart
 * keeps its id, so the node's history, its records and Quartz's instance stay its own). The file
 * is created {@code rw-------} in a folder created {@code rwx------}, as the database file.
 */
final class NodeIds {
  private static final Logger log = LoggerFactory.getLogger(NodeIds.class);
  /** What config ids allow (ConfigDefaults.ID): the file is checked the same way. */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final int SUFFIX_BYTES = 3;
  /** A file created by another process this moment may still be empty: read again this often. */
  private static final int READ_ATTEMPTS = 20;

  private NodeIds() {}

  /**
   * The node id for {@code cluster} on {@code host}.
   *
   * @throws IllegalStateException when the id file cannot be read or created, or holds no valid
   *     id (naming the file)
   */
  static String resolve(ClusterSettings cluster, String host) {
    if (cluster.nodeId().isPresent()) {
      return cluster.nodeId().get();
    }
    Path file = cluster.nodeIdFile();
    try {
      if (!Files.exists(file)) {
        String made = madeUp(host, new SecureRandom());
        if (create(file, made)) {
          log.info("node id {} made up and kept in {}", made, file);
          return made;
        }
      }
      return read(file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read or create the node id file %s (cluster.nodeIdFile): %s"
          .formatted(file, e.getMessage()), e);
    }
  }

  /** The host name made a valid id (other characters become '-'), a dash, a random suffix. */
  static String madeUp(String host, SecureRandom random) {
    String name = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceAll("^[^a-z0-9]+", "");
    if (name.isEmpty()) {
      name = "node";
    }
    byte[] suffix = new byte[SUFFIX_BYTES];
    random.nextBytes(suffix);
    String tail = "-" + HexFormat.of().formatHex(suffix);
    return name.substring(0, Math.min(name.length(), 64 - tail.length())) + tail;
  }

  /** Creates {@code file} with {@code id}; false when it exists already (another process made it). */
  private static boolean create(Path file, String id) throws IOException {
    PrivateFiles.createFolders(file.toAbsolutePath().getParent());
    Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try (SeekableByteChannel channel = open(file, options)) {
      channel.write(ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.UTF_8)));
    } catch (FileAlreadyExistsException e) {
      return false;
    }
    PrivateFiles.tighten(file);
    return true;
  }

  private static SeekableByteChannel open(Path file, Set<StandardOpenOption> options) throws IOException {
    try {
      return Files.newByteChannel(file, options, PosixFilePermissions.asFileAttribute(PrivateFiles.FILE));
    } catch (UnsupportedOperationException e) {
      return Files.newByteChannel(file, options);
    }
  }

  private static String read(Path file) throws IOException {
    PrivateFiles.tighten(file).ifPresent(t -> log.warn("{}", t));
    for (int attempt = 1; ; attempt++) {
      String text = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (ID.matcher(text).matches()) {
        return text;
      }
      if (!text.isEmpty() || attempt >= READ_ATTEMPTS) {
        throw new IllegalStateException(("the node id file %s (cluster.nodeIdFile) holds no valid node"
            + " id: it %s; fix or delete the file (a new id is then made up), or set cluster.nodeId")
            .formatted(file, text.isEmpty() ? "is empty" : "must be 1-64 letters, digits, '.', '_' or '-',"
                + " starting with a letter or digit"));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading " + file, e);
      }
    }
  }
}
