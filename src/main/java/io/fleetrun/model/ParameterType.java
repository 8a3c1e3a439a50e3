package io.fleetrun.model;

import java.util.Locale;
import java.util.Optional;

/** What values a command parameter takes; see {@link ParameterRule}. */
public enum ParameterType {
  /** Any text; its placeholder may stand only where the shell keeps it one literal word. */
  STRING,
  /**
   * {@code -?[0-9]{1,18}}: digits only (fits a 64-bit shell integer), so its placeholder is safe
   * anywhere, arithmetic and quotes included.
   */
  INTEGER;

  /** The name in config: {@code string} or {@code integer}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The type named {@code text} in config, if there is one. */
  public static Optional<ParameterType> fromConfig(String text) {
    for (ParameterType t : values()) {
      if (t.configName().equals(text)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
