package io.fleetrun.config;

import io.fleetrun.config.YamlNode.Mark;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads the {@code id} of each item of one kind, checking its form and that it is unique. */
final class IdRegistry {
  /** How ids (and tags) may be written, for messages. */
  static final String ID_RULE =
      "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit";

  private final String kind;
  private final Map<String, String> firstSeenAt = new LinkedHashMap<>();

  /**
   * @param kind what the ids name, for messages: "instance", "command", "job"
   */
  IdRegistry(String kind) {
    this.kind = kind;
  }

  /**
   * The item's id when it is well formed and not taken by an earlier item; a bad or duplicate id is
   * reported and gives empty.
   */
  Optional<String> claim(MapReader item) {
    Optional<String> id = item.requiredText("id");
    if (id.isEmpty()) {
      return Optional.empty();
    }
    String value = id.get();
    if (!ConfigDefaults.ID.matcher(value).matches()) {
      item.problem("id", "%s id '%s' %s".formatted(kind, value, ID_RULE));
      return Optional.empty();
    }
    Mark here = item.mark();
    String earlier = firstSeenAt.putIfAbsent(value, item.path() + " (line " + here.line() + ")");
    if (earlier != null) {
      item.problem(
          "id",
          "duplicate %s id '%s': already used by %s; this one at line %d is ignored"
              .formatted(kind, value, earlier, here.line()));
      return Optional.empty();
    }
    return id;
  }

  /** Every id claimed so far, also of items that had other problems. */
  Set<String> ids() {
    return firstSeenAt.keySet();
  }
}
