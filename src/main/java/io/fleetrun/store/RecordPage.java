package io.fleetrun.store;

import io.fleetrun.model.InvocationRecord;
import java.util.List;

/**
 * One page of an invocation's records, newest first ({@link JdbcInvocationQueries#recordsPage}).
 *
 * @param records newest (highest record id) first
 * @param older how many older records match and are not on this page
 */
public record RecordPage(List<InvocationRecord> records, long older) {
  public RecordPage {
    records = List.copyOf(records);
    if (older < 0) {
      throw new IllegalArgumentException("older cannot be negative: " + older);
    }
  }
}
