package io.fleetrun.config;

import io.fleetrun.model.Command;
import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Limits;
import io.fleetrun.model.MisfirePolicy;
import io.fleetrun.model.OverlapPolicy;
import java.time.Duration;
import java.util.regex.Pattern;

/** Every default and bound of the config format, in one place. */
final class ConfigDefaults {
  static final String DATABASE_URL = "jdbc:sqlite:data/fleetrun.db";
  static final String SQLITE_PREFIX = DatabaseSettings.SQLITE_PREFIX;
  static final String POSTGRESQL_PREFIX = DatabaseSettings.POSTGRESQL_PREFIX;

  /** Written the way an operator would; resolved like any configured path. */
  static final String KNOWN_HOSTS = "~/.ssh/known_hosts";

  static final HostKeyPolicy HOST_KEY_POLICY = HostKeyPolicy.STRICT;
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  static final int MAX_SESSIONS = Limits.DEFAULT_MAX_SESSIONS;
  static final int OUTPUT_BYTES = Limits.DEFAULT_OUTPUT_BYTES;
  static final int MIN_OUTPUT_BYTES = 1024;
  static final int MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

  /** Shortest {@code retention.records}; see {@code RetentionSection}. */
  static final Duration MIN_RETENTION = Duration.ofHours(1);
  static final MisfirePolicy MISFIRE = MisfirePolicy.RUN_ONCE;
  static final OverlapPolicy OVERLAP = OverlapPolicy.SKIP;

  static final int PORT = 22;
  static final Duration COMMAND_TIMEOUT = Command.DEFAULT_TIMEOUT;
  static final String COMMAND_TYPE = "shell";
  static final int MAX_CONTENT_BYTES = 64 * 1024;

  /** Ids of instances, commands and jobs; also used for tags. */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Same characters as {@code ScriptTemplate}'s placeholders accept. */
  static final Pattern PARAMETER_NAME = Pattern.compile("[A-Za-z0-9_.-]+");

  static final Pattern ENV_VAR = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private ConfigDefaults() {}
}
