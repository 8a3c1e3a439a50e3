package io.fleetrun.model;

/** How often a job runs: once, or periodically until it is stopped. */
public enum RepeatMode {
  Once,
  Period
}
