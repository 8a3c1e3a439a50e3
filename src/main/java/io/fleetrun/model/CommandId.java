package io.fleetrun.model;

import java.util.Objects;

/** A command's id, unique in the config. */
public record CommandId(String value) {
  public CommandId {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("CommandId must not be blank");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
