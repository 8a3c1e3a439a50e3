package io.fleetrun.store;

import java.util.List;

/**
 * One page of a keyset-paged read.
 *
 * @param items the rows of the page, in the read's order
 * @param more whether rows follow the last one (read as one row past the page)
 */
public record Slice<T>(List<T> items, boolean more) {
  public Slice {
    items = List.copyOf(items);
  }

  /** The first {@code limit} of {@code rows}, read with one row more than a page. */
  static <T> Slice<T> of(List<T> rows, int limit) {
    return rows.size() > limit ? new Slice<>(rows.subList(0, limit), true) : new Slice<>(rows, false);
  }
}
