package io.fleetrun.model;

import java.util.Objects;

/**
 * What a run printed, stdout and stderr together in arrival order, as far as it was kept.
 *
 * @param text the kept bytes, decoded as UTF-8; when bytes were left out a marker line stands
 *     between the kept head and the kept tail
 * @param dropped how many bytes were left out
 */
public record Output(String text, long dropped) {
  public static final Output EMPTY = new Output("", 0);

  public Output {
    Objects.requireNonNull(text, "text");
    if (dropped < 0) {
      throw new IllegalArgumentException("dropped must not be negative");
    }
  }
}
