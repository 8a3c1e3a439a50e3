package io.fleetrun.model;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a secret (an SSH password or key passphrase) is read from when it is needed. It never
 * holds the secret itself, so it is safe to log and to print.
 */
public sealed interface SecretRef {

  /** The secret is the value of environment variable {@code variable}. */
  record Env(String variable) implements SecretRef {
    public Env {
      Objects.requireNonNull(variable, "variable");
    }

    @Override
    public String toString() {
      return "env:" + variable;
    }
  }

  /** The secret is the content of {@code path}, without a trailing newline. */
  record File(Path path) implements SecretRef {
    public File {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String toString() {
      return "file:" + path;
    }
  }
}
