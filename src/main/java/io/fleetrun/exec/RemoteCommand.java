package io.fleetrun.exec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the command lines sent over SSH: the wrapper that runs a script in its own process group
 * (and session, where {@code setsid} exists) and reports that group's id, and the command that
 * ends such a group. Pure functions, no I/O.
 */
final class RemoteCommand {
  /**
   * Scripts travel as one argument of the remote command line; Linux refuses a single argument
   * over 128 KiB (MAX_ARG_STRLEN), so fleetrun refuses well before that with a clear message.
   */
  static final int MAX_SCRIPT_BYTES = 100_000;

  /** First stdout line of every run; it is parsed and never kept in the output. */
  static final String PGID_PREFIX = "fleetrun-pgid=";

  private static final Pattern PGID_LINE = Pattern.compile("fleetrun-pgid=([0-9]{1,10})\r?");

  private RemoteCommand() {}

  /**
   * The remote command that runs {@code script} with {@code /bin/sh} in {@code workingDir}. The
   * outer {@code exec setsid -w /bin/sh} (where that {@code setsid} accepts {@code -w}) makes the script's shell a new session and process group
   * leader; it prints {@code fleetrun-pgid=$$} first, then replaces itself with the script, so the
   * group id stays valid for the whole run. Stdin is /dev/null: scripts never wait for input. The
   * leader's {@code $0} is {@code marker} (so it shows in its command line on the target), and
   * {@code FLEETRUN_RUN=marker} is exported, which survives a script that ends in {@code exec}.
   *
   * @throws IllegalArgumentException when the script is longer than {@link #MAX_SCRIPT_BYTES}
   */
  static String wrap(String script, Optional<String> workingDir, ProcessMarker marker) {
    int size = script.getBytes(StandardCharsets.UTF_8).length;
    if (size > MAX_SCRIPT_BYTES) {
      throw new IllegalArgumentException(
          "script is " + size + " bytes; at most " + MAX_SCRIPT_BYTES + " bytes can be sent");
    }
    // Probe the flag itself, not just the command: BusyBox setsid (Alpine) has no -w. Without it
    // the run still works, since OpenSSH already makes the login shell a session leader.
    return "S=; setsid -w true </dev/null >/dev/null 2>&1 && S='setsid -w'; exec $S /bin/sh -c '"
        + "echo \"" + PGID_PREFIX + "$$\"; if [ -n \"$1\" ]; then cd \"$1\" || exit 126; fi; "
        + ProcessMarker.ENV + "=$0; export " + ProcessMarker.ENV + "; "
        + "exec /bin/sh -c \"$2\" \"$0\" </dev/null' "
        + quote(marker.value())
        + " "
        + quote(workingDir.orElse(""))
        + " "
        + quote(script);
  }

  /**
   * The command that ends process group {@code pgid}: TERM, then up to {@code grace} of polling
   * every 0.1 s for the group to be gone, then KILL. Written as {@code kill -TERM -N} rather than
   * {@code kill -TERM -- -N} because dash's builtin kill (Debian's /bin/sh) rejects {@code --}.
   */
  static String kill(long pgid, Duration grace) {
    if (pgid < 2) {
      throw new IllegalArgumentException("refusing to signal process group " + pgid);
    }
    long polls = Math.max(0, grace.toMillis() / 100);
    String group = "-" + pgid;
    return "kill -TERM " + group + " 2>/dev/null; i=0; while [ $i -lt " + polls + " ] && kill -0 "
        + group + " 2>/dev/null; do sleep 0.1; i=$((i+1)); done; kill -KILL " + group
        + " 2>/dev/null; exit 0";
  }

  /**
   * The process group id in a {@code fleetrun-pgid=N} line, if {@code line} is one. N below 2 is
   * no group fleetrun may signal ({@code kill -0} means the caller's own group, {@code -1} every
   * process), so such a line counts as no pgid line at all.
   */
  static OptionalLong parsePgidLine(String line) {
    Matcher m = PGID_LINE.matcher(line);
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    long pgid = Long.parseLong(m.group(1));
    return pgid < 2 ? OptionalLong.empty() : OptionalLong.of(pgid);
  }

  /** {@code value} as one single-quoted shell word, each {@code '} written as {@code '\''}. */
  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
