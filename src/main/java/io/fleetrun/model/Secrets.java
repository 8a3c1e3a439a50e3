package io.fleetrun.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a secret where a {@link SecretRef} says it is, at the moment it is needed (an SSH
 * password at connect time, the database password for each new connection), so a secret rotated in
 * place is picked up and none is kept in the config.
 */
public final class Secrets {
  /** A secret could not be read; the message names where it was looked for, never the secret. */
  public static final class UnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public UnavailableException(String message) {
      super(message);
    }
  }

  private Secrets() {}

  /**
   * The secret {@code ref} points at: the environment variable's value, or the file's content
   * without trailing line breaks. A file group or others may open is refused (checked at every
   * read although config validation checks it too: it may have been loosened since).
   *
   * @param environment looks up environment variables ({@code System::getenv} outside tests)
   * @param what what the secret is, like "password file" (for messages)
   */
  public static String read(SecretRef ref, Function<String, String> environment, String what)
      throws UnavailableException {
    if (ref instanceof SecretRef.Env env) {
      String value = environment.apply(env.variable());
      if (value == null) {
        throw new UnavailableException("environment variable " + env.variable() + " is not set");
      }
      return value;
    }
    Path path = ((SecretRef.File) ref).path();
    Optional<String> tooOpen = SecretFiles.tooOpen(path, what);
    if (tooOpen.isPresent()) {
      throw new UnavailableException(tooOpen.get());
    }
    try {
      String content = Files.readString(path, StandardCharsets.UTF_8);
      int end = content.length();
      while (end > 0 && (content.charAt(end - 1) == '\n' || content.charAt(end - 1) == '\r')) {
        end--;
      }
      return content.substring(0, end);
    } catch (IOException e) {
      throw new UnavailableException(
          "cannot read " + what + " " + path + ": " + e.getClass().getSimpleName());
    }
  }
}
