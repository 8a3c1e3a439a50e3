package io.fleetrun.daemon;

import io.fleetrun.invoke.InvocationRefusedException;
import io.fleetrun.invoke.Invoker;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.ControlChannel;
import io.fleetrun.store.PendingRequest;
import io.fleetrun.store.RequestAnswer;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the CLI's requests that wait in the database. On a cluster every node polls: a
 * request is claimed by exactly one of them ({@link ControlChannel#claimPending}); a stop relayed
 * from another node ends only this node's records.
 */
final class RequestHandler {
  private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);

  private final ControlChannel control;
  private final Invoker invoker;
  private final Clock clock;

  RequestHandler(ControlChannel control, Invoker invoker, Clock clock) {
    this.control = control;
    this.invoker = invoker;
    this.clock = clock;
  }

  /** Takes and answers every waiting request. Never throws: the poll loop must go on. */
  void pollOnce() {
    try {
      for (PendingRequest pending : control.claimPending(clock.instant())) {
        RequestAnswer answer = answer(pending);
        if (!control.complete(pending.id(), answer, clock.instant())) {
          // A node declared dead that woke: the take-over answered its requests; that answer,
          // which the CLI may have read, stays.
          log.warn("request {} was answered meanwhile by another node or a restart; this node's answer ({}) is"
              + " not written", pending.id(), oneLine(answer.toString()));
        }
      }
    } catch (RuntimeException e) {
      log.error("could not poll control requests", e);
    }
  }

  private RequestAnswer answer(PendingRequest pending) {
    try {
      InvokeId id;
      if (pending.request() instanceof ControlRequest.Run run) {
        id = invoker.runAdHoc(run);
      } else {
        ControlRequest.Stop stop = (ControlRequest.Stop) pending.request();
        if (pending.relayed()) {
          invoker.stopOwnRecords(stop.invokeId(), stop.instances());
        } else {
          invoker.stop(stop.invokeId(), stop.instances());
        }
        id = stop.invokeId();
      }
      return new RequestAnswer.Done(id);
    } catch (InvocationRefusedException e) {
      // The reason quotes the request (tags, parameter values), which an API caller writes.
      log.info("request {} refused: {}", pending.id(), oneLine(e.getMessage()));
      return new RequestAnswer.Refused(e.getMessage());
    } catch (RuntimeException e) {
      log.error("request {} failed", pending.id(), e);
      return new RequestAnswer.Refused("the daemon could not carry it out: " + e);
    }
  }

  /** {@code text} with control characters (line breaks included) escaped, so it cannot forge log lines. */
  static String oneLine(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
          ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }
}
