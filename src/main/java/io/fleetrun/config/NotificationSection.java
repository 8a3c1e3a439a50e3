package io.fleetrun.config;

import io.fleetrun.model.Notification;
import io.fleetrun.model.NotificationEvent;
import io.fleetrun.model.SecretRef;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code notifications:}, the webhooks. Every hook is signed: its {@code secret} is
 * required, and only a reference to it ({@code { env: VAR }} or {@code { file: PATH }}) is written
 * in the config.
 */
final class NotificationSection {
  static final List<String> KEYS = List.of("id", "url", "events", "secret");
  private static final String INLINE_SECRET =
      "secrets are never written inline; use { env: VAR } or { file: PATH }";

  private NotificationSection() {}

  static List<Notification> read(List<YamlNode> items, LoadContext context, Problems problems) {
    IdRegistry ids = new IdRegistry("notification");
    List<Notification> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Optional<MapReader> item = MapReader.of(items.get(i), "notifications[" + i + "]", problems, KEYS);
      if (item.isEmpty()) {
        continue;
      }
      MapReader r = item.get();
      int before = problems.count();
      Optional<String> id = ids.claim(r);
      Optional<URI> url = r.requiredText("url").flatMap(text -> url(r, text));
      Set<NotificationEvent> events = events(r, problems);
      r.required("secret"); // an unsigned hook could be forged by anyone who can reach its receiver
      Optional<SecretRef> secret =
          InstanceSection.secretRef(r, "secret", INLINE_SECRET, "webhook secret file", context, problems);
      if (problems.count() == before) {
        out.add(new Notification(id.orElseThrow(), url.orElseThrow(), events, secret.orElseThrow()));
      }
    }
    return out;
  }

  /**
   * An absolute http or https URL with a host and no user-info. A URL with user-info is not
   * echoed: its user-info is probably a password.
   */
  private static Optional<URI> url(MapReader r, String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      r.problem("url", "is not a valid URL: " + e.getReason());
      return Optional.empty();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      r.problem("url", "must be an http:// or https:// URL, got " + (scheme.isEmpty() ? "no scheme" : scheme + ":"));
      return Optional.empty();
    }
    if (uri.getRawUserInfo() != null) {
      r.problem("url", "must not carry user-info (user:password@); the body is signed with the secret instead");
      return Optional.empty();
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      r.problem("url", "needs a host, like http://127.0.0.1:9000/hook");
      return Optional.empty();
    }
    if (uri.getRawFragment() != null) {
      r.problem("url", "must not have a #fragment (it is never sent)");
      return Optional.empty();
    }
    return Optional.of(uri);
  }

  private static Set<NotificationEvent> events(MapReader r, Problems problems) {
    Set<NotificationEvent> events = EnumSet.noneOf(NotificationEvent.class);
    if (r.required("events").isEmpty()) {
      return events;
    }
    List<MapReader.TextItem> items = r.textList("events");
    for (MapReader.TextItem item : items) {
      Optional<NotificationEvent> event = NotificationEvent.ofWord(item.text());
      if (event.isPresent()) {
        events.add(event.get());
      } else {
        problems.add(item.node(), item.path(), "unknown event '%s'%s; known events: %s".formatted(item.text(),
            Suggest.didYouMean(item.text(), NotificationEvent.words()), String.join(", ", NotificationEvent.words())));
      }
    }
    if (items.isEmpty() && r.value("events").orElseThrow() instanceof YamlNode.ListNode) {
      r.problem("events", "needs at least one event: " + String.join(", ", NotificationEvent.words()));
    }
    return events;
  }
}
