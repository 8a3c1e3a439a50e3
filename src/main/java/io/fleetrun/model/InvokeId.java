package io.fleetrun.model;

import java.security.SecureRandom;
import java.util.Objects;

/** The id of one invocation, like {@code t-4kq9z2m7xw1c}. */
public record InvokeId(String value) {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

  public InvokeId {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("InvokeId must not be blank");
    }
  }

  /** A new random id: {@code t-} and 12 base-32 characters (60 random bits). */
  public static InvokeId random() {
    StringBuilder id = new StringBuilder("t-");
    for (int i = 0; i < 12; i++) {
      id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    }
    return new InvokeId(id.toString());
  }

  @Override
  public String toString() {
    return value;
  }
}
