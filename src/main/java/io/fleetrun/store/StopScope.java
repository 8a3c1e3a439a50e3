package io.fleetrun.store;

import io.fleetrun.model.InvocationRecord;
import java.util.List;
import java.util.Set;

/**
 * Who ends the Running records of an invocation being stopped ({@link
 * InvocationStore#stopScope}).
 *
 * @param here the records the stopping node ends itself
 * @param elsewhere the other live nodes that run the rest, each to be handed a stop of its own
 */
public record StopScope(List<InvocationRecord> here, Set<String> elsewhere) {
  public StopScope {
    here = List.copyOf(here);
    elsewhere = Set.copyOf(elsewhere);
  }
}
