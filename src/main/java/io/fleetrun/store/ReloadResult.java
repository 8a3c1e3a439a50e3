package io.fleetrun.store;

import java.time.Instant;
import java.util.Objects;

/**
 * What the daemon's last attempt to reload its config gave, as kept on its heartbeat row.
 *
 * @param at when the reload was tried
 * @param applied true when the new config is in force ({@code ok}), false when it was refused
 *     and the previous config stays in force
 * @param message what changed and what needs a restart, or every problem as {@code
 *     file:line:column: key: message}
 */
public record ReloadResult(Instant at, boolean applied, String message) {
  /** Stored in {@code last_reload_result} for an applied reload. */
  public static final String OK = "ok";

  /** Stored in {@code last_reload_result} for a refused one. */
  public static final String REFUSED = "refused";

  public ReloadResult {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(message, "message");
  }

  /** {@value #OK} or {@value #REFUSED}, as stored. */
  public String result() {
    return applied ? OK : REFUSED;
  }
}
