package io.fleetrun.invoke;

import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.JournalObserver;

/** Publishes the overall statuses a journal batch committed as {@link RunEvent}s (non-blocking). */
final class JournalEvents implements JournalObserver {
  private final EventFeed events;

  JournalEvents(EventFeed events) {
    this.events = events;
  }

  @Override
  public void invocationStatusChanged(InvokeId invokeId, InvocationStatus status) {
    events.publish(new RunEvent.InvocationStatusChanged(invokeId, status));
  }
}
