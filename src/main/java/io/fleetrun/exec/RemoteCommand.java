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
   * The outer {@code exec /bin/sh} keeps the login shell's pid: where that shell leads its own
   * session and group (OpenSSH's does), the script's shell then leads them too; elsewhere the
   * outer command is {@code exec setsid -w /bin/sh} (where that {@code setsid} accepts {@code -w}),
   * which makes the script's shell a new session and process group leader. It prints
   * {@code fleetrun-pgid=<token> $$ <starttime>} (and exits if it cannot: nobody is listening any
   * more), then replaces itself with the script, so the group id stays valid for the whole run.
   * The start time (field 22 of {@code /proc/$$/stat}; left out where there is no {@code /proc})
   * lets a kill recognise the leader after the script exec'd into a program that dropped the
   * marker ({@link RemoteGroup}). It is read in a function: {@code set --} there leaves the
   * wrapper's own arguments alone. Stdin is
   * /dev/null: scripts never wait for input. The leader's {@code $0} is {@code marker} (so it
   * shows in its command line on the target).
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
    // OpenSSH makes the login shell a session and group leader, so exec'ing the script's shell
    // keeps a group of its own without setsid: that costs nothing, where setsid -w and its probe
    // cost the target three more processes per run. Only a shell that is not a leader (a server
    // that does not call setsid, like a Java one) probes setsid; the probe tests the flag itself,
    // not just the command: BusyBox setsid (Alpine) has no -w. Where /proc or word splitting is
    // missing (zsh as login shell) the test fails and the probe decides, as before.
    return ProcessMarker.ENV + "=" + quote(marker.value()) + "; export " + ProcessMarker.ENV
        + "; S='setsid -w'; if [ -r /proc/$$/stat ] && read -r l </proc/$$/stat; then "
        + "set -- ${l##*) }; [ \"$3\" = $$ ] && [ \"$4\" = $$ ] && S=; fi; "
        + "[ -z \"$S\" ] || setsid -w true </dev/null >/dev/null 2>&1 || S=; exec $S /bin/sh -c '"
        + "T=; if [ -r /proc/$$/stat ]; then st() { read -r l </proc/$$/stat; set -- ${l##*) }; "
        + "[ -n \"${20}\" ] && T=\" ${20}\"; }; st; fi; "
        + "echo \"" + PGID_PREFIX + token + " $$$T\" || exit 1; "
        + "if [ -n \"$1\" ]; then cd \"$1\" || exit 126; fi; "
        + "exec /bin/sh -c \"$2\" \"$0\" </dev/null' "
        + quote(marker.value())
        + " "
        + quote(workingDir.orElse(""))
        + " "
        + quote(script);
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
