package io.fleetrun.model;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A webhook from the config's {@code notifications:}: on each of {@code events}, a JSON body is
 * POSTed to {@code url}, signed with the secret {@code secret} points at (read at each signing,
 * never kept here).
 *
 * @param url an absolute http or https URL without user-info
 */
public record Notification(String id, URI url, Set<NotificationEvent> events, SecretRef secret) {
  public Notification {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(secret, "secret");
    events = Set.copyOf(events);
    if (events.isEmpty()) {
      throw new IllegalArgumentException("a notification needs at least one event");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("a notification URL must be http or https");
    }
    if (url.getRawUserInfo() != null || url.getHost() == null) {
      throw new IllegalArgumentException("a notification URL needs a host and no user-info");
    }
  }

  /** Whether {@code event} is one this notification is sent on. */
  public boolean sentOn(NotificationEvent event) {
    return events.contains(event);
  }
}
