package io.fleetrun.model;

/** The database id of one invocation record. */
public record RecordId(long value) {
  @Override
  public String toString() {
    return Long.toString(value);
  }
}
