package io.fleetrun.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The SHA-256 of a config file's bytes, to tell whether the file still holds what was loaded.
 * Content, not modification time: an edit within the file system's time resolution, or a copy
 * that keeps the old time, still counts.
 */
public final class ConfigDigest {
  private ConfigDigest() {}

  /** The digest of {@code bytes}, as hex. */
  public static String of(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The digest of {@code file} as it is now; empty when it cannot be read. */
  public static Optional<String> of(Path file) {
    try {
      return Optional.of(of(Files.readAllBytes(file)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
