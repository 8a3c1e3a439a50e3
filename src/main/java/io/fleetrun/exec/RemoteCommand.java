package io.fleetrun.exec;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the command line sent over SSH: the wrapper that runs a script in its own process group
 * (and session, where {@code setsid} exists) and reports that group's id. Ending a run is
 * {@link RemoteKill}'s. Pure functions, no I/O (but {@link #newToken}'s randomness).
 */
final class RemoteCommand {
  /**
   * Scripts travel as one argument of the remote command line; Linux refuses a single argument
   * over 128 KiB (MAX_ARG_STRLEN), so fleetrun refuses well before that with a clear message.
   */
  static final int MAX_SCRIPT_BYTES = 100_000;

  /** Starts the line that reports the group id: {@code fleetrun-pgid=<token> <pgid>}. */
  static final String PGID_PREFIX = "fleetrun-pgid=";

  private static final Pattern TOKEN = Pattern.compile("[a-z0-9]{16}");
  private static final char[] TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private RemoteCommand() {}

  /**
   * A new random token for one run's pgid line. Text the target prints before the wrapper runs
   * (a login shell's rc files) cannot know it, so a {@code fleetrun-pgid=} line there is output.
   */
  static String newToken() {
    char[] token = new char[16];
    for (int i = 0; i < token.length; i++) {
      token[i] = TOKEN_CHARS[RANDOM.nextInt(TOKEN_CHARS.length)];
    }
    return new String(token);
  }

  /**
   * The remote command that runs {@code script} with {@code /bin/sh} in {@code workingDir}. It
   * exports {@code FLEETRUN_RUN=marker} first, so every process of the run carries the marker in
   * its environment from its start (a stop that never learned the group id finds the run by it).
   * It reports {@code fleetrun-pgid=<token> <pgid> <starttime>} before the script runs (and exits
   * if it cannot: nobody is listening any more), so the group id is known for the whole run. The
   * start time (field 22 of {@code /proc/PID/stat}; left out where there is no {@code /proc})
   * lets a kill recognise the leader after the script exec'd into a program that dropped the
   * marker ({@link RemoteGroup}). Stdin is /dev/null: scripts never wait for input. The leader's
   * {@code $0} is {@code marker} (so it shows in its command line on the target).
   *
   * <p>Two paths, chosen on the target:
   *
   * <ul>
   *   <li>Where the login shell already leads its own session and process group (OpenSSH makes
   *       it so), the login shell itself prints the line and exec's {@code /bin/sh -c script}:
   *       exec keeps the pid, so the script's shell leads the group and has the start time just
   *       printed. One process start per run, where a plain {@code ssh host script} has one
   *       too: each process start costs the target about 3 ms of CPU, a third of a kept
   *       connection's cost per run.
   *   <li>Elsewhere (a server that does not call setsid, like a Java one) it exec's
   *       {@code setsid -w /bin/sh} (where that {@code setsid} accepts {@code -w}; the probe
   *       tests the flag itself, BusyBox setsid has none), which makes a new session and group
   *       leader that prints the line and exec's the script's shell.
   * </ul>
   *
   * Where {@code /proc} or word splitting is missing (zsh as login shell) the leader test fails
   * and the second path decides; {@code setsid} and its {@code -w} are therefore two words of
   * their own ({@code $S ${S:+-w}}), never one variable split in two, which zsh does not do.
   * The fields of {@code /proc/$$/stat} are read in the login shell with {@code set --}, which
   * is why script and folder travel in the variables {@code fleetrun_script} and {@code
   * fleetrun_dir}, not positional parameters; they are not exported (unless the target's
   * environment already exports such names) and end with the login shell's exec.
   *
   * @param token from {@link #newToken}
   * @throws IllegalArgumentException when the script is longer than {@link #MAX_SCRIPT_BYTES}
   */
  static String wrap(
      String script, Optional<String> workingDir, ProcessMarker marker, String token) {
    int size = script.getBytes(StandardCharsets.UTF_8).length;
    if (size > MAX_SCRIPT_BYTES) {
      throw new IllegalArgumentException(
          "script is " + size + " bytes; at most " + MAX_SCRIPT_BYTES + " bytes can be sent");
    }
    if (!TOKEN.matcher(token).matches()) {
      throw new IllegalArgumentException("not a pgid token: " + token);
    }
    String pgidLine = "echo \"" + PGID_PREFIX + token + " $$$T\" || exit 1; ";
    return ProcessMarker.ENV + "=" + quote(marker.value()) + "; export " + ProcessMarker.ENV
        + "; fleetrun_script=" + quote(script) + "; fleetrun_dir=" + quote(workingDir.orElse("")) + "; S=setsid; T=; "
        + "if [ -r /proc/$$/stat ] && read -r l </proc/$$/stat; then set -- ${l##*) }; "
        + "if [ \"$3\" = $$ ] && [ \"$4\" = $$ ]; then S=; [ -n \"${20}\" ] && T=\" ${20}\"; fi; fi; "
        + "if [ -z \"$S\" ]; then " + pgidLine
        + "if [ -n \"$fleetrun_dir\" ]; then cd \"$fleetrun_dir\" || exit 126; fi; "
        + "exec /bin/sh -c \"$fleetrun_script\" " + quote(marker.value()) + " </dev/null; fi; "
        + "setsid -w true </dev/null >/dev/null 2>&1 || S=; exec $S ${S:+-w} /bin/sh -c '"
        + "T=; if [ -r /proc/$$/stat ]; then st() { read -r l </proc/$$/stat; set -- ${l##*) }; "
        + "[ -n \"${20}\" ] && T=\" ${20}\"; }; st; fi; "
        + pgidLine
        + "if [ -n \"$1\" ]; then cd \"$1\" || exit 126; fi; "
        + "exec /bin/sh -c \"$2\" \"$0\" </dev/null' "
        + quote(marker.value()) + " \"$fleetrun_dir\" \"$fleetrun_script\"";
  }

  /**
   * The process group in {@code line} if the line ends with {@code fleetrun-pgid=<token> N} or
   * {@code fleetrun-pgid=<token> N S} (whatever precedes it: a banner without a final newline);
   * S is the leader's start time. N below 2 is no group fleetrun may signal ({@code kill -0}
   * means the caller's own group, {@code -1} every process), so such a line counts as no pgid
   * line at all.
   */
  static Optional<RemoteGroup> parsePgidLine(String line, String token) {
    Matcher m = pgidLine(token).matcher(line);
    return m.find() ? group(m) : Optional.empty();
  }

  /** The group a match of {@link #pgidLine} names; empty for a group id below 2. */
  static Optional<RemoteGroup> group(Matcher m) {
    long pgid = Long.parseLong(m.group(1));
    if (pgid < 2) {
      return Optional.empty();
    }
    OptionalLong start =
        m.group(2) == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(m.group(2)));
    return Optional.of(new RemoteGroup(pgid, start));
  }

  /**
   * Finds a line's {@code fleetrun-pgid=<token> N [S]} end; group 1 is N, group 2 S (or null).
   */
  static Pattern pgidLine(String token) {
    return Pattern.compile(
        Pattern.quote(PGID_PREFIX + token + " ") + "([0-9]{1,10})(?: ([0-9]{1,18}))?\r?$");
  }

  /** {@code value} as one single-quoted shell word, each {@code '} written as {@code '\''}. */
  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
