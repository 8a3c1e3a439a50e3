package io.fleetrun.model;

import java.util.Objects;

/** A job's id, unique in the config. */
public record JobId(String value) {
  public JobId {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("JobId must not be blank");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
