package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.CONTROL_REQUEST;

import io.fleetrun.model.ControlRequest;
import io.fleetrun.store.jooq.tables.records.ControlRequestRow;
import java.time.Instant;
import org.jooq.DSLContext;

/**
 * Answers, in the take-over's transaction, the control requests a node declared dead left
 * unanswered; otherwise a CLI would wait on them until its own timeout, and they would stay in
 * {@code control_request} until some node restarts (retention deletes only answered rows).
 *
 * <ul>
 *   <li>A stop handed to the dead node ({@code for_node}), claimed by it or not, is done: the
 *       take-over ends every Running record of that node in the same transaction, and its remote
 *       processes are killed next. Answered with its invocation, as the node would have.
 *   <li>Any other request the dead node claimed ({@code claimed_by}) is refused: a {@code run}
 *       writes its invoke id only with its answer, so whether it created an invocation before the
 *       node died is unknown here (its records, if any, were ended by the take-over); a stop may
 *       have marked the instances Stopped and handed on some of its stops, or not. The error says
 *       so, as a restart's refusal does.
 * </ul>
 */
final class DeadNodeRequests {
  private DeadNodeRequests() {}

  /** Answers the unanswered requests of {@code deadNode}; returns how many. */
  static int answer(DSLContext tx, String deadNode, String survivor, Instant now) {
    var rows = tx.selectFrom(CONTROL_REQUEST)
        .where(CONTROL_REQUEST.DONE_AT.isNull())
        .and(CONTROL_REQUEST.FOR_NODE.eq(deadNode)
            .or(CONTROL_REQUEST.FOR_NODE.isNull().and(CONTROL_REQUEST.CLAIMED_BY.eq(deadNode))))
        .orderBy(CONTROL_REQUEST.REQUEST_ID)
        .fetch();
    int answered = 0;
    for (ControlRequestRow row : rows) {
      String invokeId = null;
      String error;
      try {
        ControlRequest request = ControlPayload.read(row.getKind(), row.getPayload());
        if (row.getForNode() != null && request instanceof ControlRequest.Stop stop) {
          invokeId = stop.invokeId().value();
          error = null;
        } else {
          error = refusal(request, deadNode, survivor);
        }
      } catch (RuntimeException e) {
        error = "unreadable request: " + e.getMessage();
      }
      // Still unanswered: a restarting node may have refused it since the read.
      answered += tx.update(CONTROL_REQUEST)
          .set(CONTROL_REQUEST.DONE_AT, now)
          .set(CONTROL_REQUEST.INVOKE_ID, invokeId)
          .set(CONTROL_REQUEST.ERROR, error)
          .where(CONTROL_REQUEST.REQUEST_ID.eq(row.getRequestId()))
          .and(CONTROL_REQUEST.DONE_AT.isNull())
          .execute();
    }
    return answered;
  }

  private static String refusal(ControlRequest request, String deadNode, String survivor) {
    String taken = "node " + deadNode + " took this request and stopped beating before answering it; node "
        + survivor + " declared it dead";
    if (request instanceof ControlRequest.Run) {
      return taken + ". It may have started an invocation (its records were ended as interrupted):"
          + " check bin/fleetrun invocations before sending the run again";
    }
    return taken + " and ended that node's records, but the stop may not have reached the other nodes:"
        + " check the invocation and send the stop again";
  }
}
