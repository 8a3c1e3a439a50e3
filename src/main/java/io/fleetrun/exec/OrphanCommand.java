package io.fleetrun.exec;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Builds the remote command that ends a run a previous daemon left behind, and reads its answer.
 * Pure functions, no I/O.
 *
 * <p>Process ids are reused, so a recorded process group id alone proves nothing: the command
 * signals a group only when its leader is the run's own process: it started at the recorded start
 * time ({@link RemoteGroup}; a pid with its start time is never reused, and survives the
 * leader's {@code exec} into {@code env -i}, {@code sudo} or a program that rewrites its title),
 * or it still carries the run's {@link ProcessMarker} as a whole word of its command line ({@code /proc/PID/cmdline}, or {@code ps -o args=} where there is no
 * {@code /proc}) or as {@code FLEETRUN_RUN} in its environment. When the leader is gone but the
 * group still has members, a member must carry {@code FLEETRUN_RUN} in its environment (its
 * command line where there is no {@code /proc}). When no group id was recorded (the daemon died
 * between starting the script and writing the id), it looks the run up by
 * {@code FLEETRUN_RUN=marker} in the environments of all processes (GNU or busybox
 * {@code grep -z} over {@code /proc/*}{@code /environ}), never by the command line alone: an
 * operator's {@code pgrep -f marker} carries the marker in its arguments and must not be
 * signalled. Only where there is no {@code /proc} does it fall back to command lines
 * ({@code ps -A}). Then TERM, up to {@code grace} for the groups to go, KILL.
 *
 * <p>A leader that seems to lack the marker is looked at again 0.2 s later: a live stop can come
 * right after the pgid line, while the leader is in {@code execve} of the script, when its
 * {@code /proc} command line and environment read empty for a moment.
 */
final class OrphanCommand {
  /** The answer line: {@code fleetrun-orphan=killed 123 456}, {@code =gone}, {@code =not-ours}, {@code =none}. */
  static final String ANSWER_PREFIX = "fleetrun-orphan=";

  // $1 of ours(): a pid. The stat field after "(comm) state ppid" is the process group id.
  /** The detail of the {@code gone} answer: nothing of the group is alive. */
  static final String GONE = "no such process any more";

  private static final String SCRIPT = """
      M=%s; P=%d; T=%s; N=%d; G=
      pgid_of() { if [ -d /proc/self ]; then sed -n 's/.*) . [0-9]* \\([0-9]*\\) .*/\\1/p' /proc/$1/stat 2>/dev/null; \
      else ps -o pgid= -p $1 2>/dev/null; fi; }
      alive() { if [ -d /proc/self ]; then [ -d /proc/$1 ]; else [ -n "$(ps -o pid= -p $1 2>/dev/null)" ]; fi; }
      started() { read -r l 2>/dev/null </proc/$1/stat || return 1; set -- ${l##*) }; echo "${20}"; }
      ours() {
        if [ -d /proc/self ]; then
          [ -n "$T" ] && [ "$(started $1)" = "$T" ] && return 0
          { tr '\\000' '\\n' </proc/$1/cmdline; tr '\\000' '\\n' </proc/$1/environ; } 2>/dev/null \
      | grep -qxF -e "$M" -e "FLEETRUN_RUN=$M"
        else
          case " $(ps -o args= -p $1 2>/dev/null) " in *" $M "*) return 0;; *) return 1;; esac
        fi
      }
      env_ours() {
        if [ -d /proc/self ]; then
          tr '\\000' '\\n' </proc/$1/environ 2>/dev/null | grep -qxF "FLEETRUN_RUN=$M"
        else
          ours $1
        fi
      }
      members() {
        if [ -d /proc/self ]; then
          for f in /proc/[0-9]*/stat; do
            read -r l 2>/dev/null <"$f" || continue
            set -- ${l##*) }
            [ "$3" = "$P" ] && { f=${f#/proc/}; echo ${f%%/stat}; }
          done
        else
          ps -A -o pid= -o pgid= 2>/dev/null | while read p g; do [ "$g" = "$P" ] && echo $p; done
        fi
      }
      if [ $P -gt 1 ]; then
        if alive $P; then
          ours $P || { sleep 0.2; ours $P; } || { echo %snot-ours; exit 0; }
        else
          kill -0 -$P 2>/dev/null || { echo %sgone; exit 0; }
          Y=; for q in $(members); do env_ours $q && { Y=1; break; }; done
          [ -n "$Y" ] || { echo %snot-ours; exit 0; }
        fi
        G=$P
      elif [ -d /proc/self ]; then
        for f in $(grep -lzxF -e "FLEETRUN_RUN=$M" /proc/[0-9]*/environ 2>/dev/null); do
          f=${f#/proc/}; G="$G $(pgid_of ${f%%/environ})"
        done
      else
        G=$(ps -A -o pgid= -o args= 2>/dev/null | while read g a; do case " $a " in *" $M "*) echo $g;; esac; done)
      fi
      O=$(pgid_of $$); K=
      for g in $G; do
        [ "$g" -gt 1 ] 2>/dev/null && [ "$g" != "$O" ] && kill -TERM -$g 2>/dev/null && K="$K $g"
      done
      [ -n "$K" ] || { echo %snone; exit 0; }
      i=0
      while [ $i -lt $N ]; do
        a=; for g in $K; do kill -0 -$g 2>/dev/null && a=1; done
        [ -n "$a" ] || break
        sleep 0.1; i=$((i+1))
      done
      for g in $K; do kill -KILL -$g 2>/dev/null; done
      echo "%skilled$K"
      """;

  private OrphanCommand() {}

  /**
   * The command that ends the run marked {@code marker}: its process group {@code processGroup}
   * when known, else whatever groups carry the marker.
   *
   * @throws IllegalArgumentException for the anonymous marker or a group id below 2
   */
  static String build(OptionalLong processGroup, ProcessMarker marker, Duration grace) {
    return build(processGroup, OptionalLong.empty(), marker, grace);
  }

  /**
   * The command that ends the run marked {@code marker}: its process group {@code processGroup}
   * when known (its leader recognised by {@code leaderStart} or by the marker), else whatever
   * groups carry the marker. {@code leaderStart} is ignored without a group.
   *
   * @throws IllegalArgumentException for the anonymous marker, a group id below 2 or a negative
   *     start time
   */
  static String build(OptionalLong processGroup, OptionalLong leaderStart, ProcessMarker marker,
      Duration grace) {
    if (!marker.isUnique()) {
      throw new IllegalArgumentException("refusing to look for runs by the anonymous marker");
    }
    long pgid = processGroup.orElse(0);
    if (processGroup.isPresent() && pgid < 2) {
      throw new IllegalArgumentException("refusing to signal process group " + pgid);
    }
    if (leaderStart.isPresent() && leaderStart.getAsLong() < 0) {
      throw new IllegalArgumentException("negative start time " + leaderStart.getAsLong());
    }
    String start = processGroup.isPresent() && leaderStart.isPresent()
        ? Long.toString(leaderStart.getAsLong()) : "";
    long polls = Math.max(0, grace.toMillis() / 100);
    return SCRIPT.formatted(RemoteCommand.quote(marker.value()), pgid, start, polls,
        ANSWER_PREFIX, ANSWER_PREFIX, ANSWER_PREFIX, ANSWER_PREFIX, ANSWER_PREFIX);
  }

  /** What the command's output says; empty when it holds no answer line. */
  static Optional<OrphanKill> parse(String output) {
    return output.lines()
        .map(String::strip)
        .filter(l -> l.startsWith(ANSWER_PREFIX))
        .reduce((first, second) -> second)
        .map(l -> answer(l.substring(ANSWER_PREFIX.length())));
  }

  private static OrphanKill answer(String text) {
    if (text.startsWith("killed")) {
      List<Long> groups = Arrays.stream(text.substring("killed".length()).trim().split("\\s+"))
          .filter(w -> !w.isEmpty())
          .map(Long::valueOf)
          .distinct()
          .toList();
      return new OrphanKill.Killed(groups);
    }
    return new OrphanKill.NotRunning(switch (text) {
      case "gone" -> GONE;
      case "not-ours" -> "the process group id now belongs to another program; left alone";
      case "none" -> "no process carries the run's marker";
      default -> "unexpected answer '" + text + "'";
    });
  }
}
