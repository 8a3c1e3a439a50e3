package io.fleetrun.model;

import java.util.Objects;

/**
 * The idempotency token a client gives with a run ({@code clientToken} of {@code POST
 * /api/v1/invocations}): every request with the same token is the same run. Chosen by the client
 * and not a secret; 1 to {@value #MAX_LENGTH} printable ASCII characters.
 */
public record ClientToken(String value) {
  public static final int MAX_LENGTH = 64;

  /** @throws IllegalArgumentException saying what is wrong with {@code value} */
  public ClientToken {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty() || value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("must be 1 to " + MAX_LENGTH + " characters long");
    }
    if (!value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("must be printable ASCII characters (space to ~)");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
