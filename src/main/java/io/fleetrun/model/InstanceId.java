package io.fleetrun.model;

import java.util.Objects;

/** A target host's id, unique in the config. */
public record InstanceId(String value) {
  public InstanceId {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("InstanceId must not be blank");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
