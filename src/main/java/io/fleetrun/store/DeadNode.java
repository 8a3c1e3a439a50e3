package io.fleetrun.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A node of a PostgreSQL cluster that this node declared dead, with the records of it that this
 * node ended (Failed / Terminated / ExecutionInterrupted) in the same transaction. Their remote
 * process groups are still to be killed (the caller's part, as after a restart).
 *
 * @param beatAt the dead node's last beat
 * @param declaredAt when it was declared dead, by the database's clock
 * @param records its Running records, now ended
 * @param requestsAnswered its unanswered control requests, answered in the same transaction
 */
public record DeadNode(String nodeId, Instant beatAt, Instant declaredAt, List<OrphanedRecord> records,
    int requestsAnswered) {
  public DeadNode {
    records = List.copyOf(records);
  }

  /** How long the node had been silent when it was declared dead. */
  public Duration silentFor() {
    return Duration.between(beatAt, declaredAt);
  }

  /** The error_info of a record ended because its node was declared dead by {@code by}. */
  static String info(String deadNode, String by) {
    return TAKEN_OVER_PREFIX + deadNode + " stopped beating while the record was running; node " + by
        + " declared it dead and ended the record";
  }

  /** How the error_info of a taken-over record begins (a late end of it is logged as refused). */
  static final String TAKEN_OVER_PREFIX = "taken over: node ";
}
