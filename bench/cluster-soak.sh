#!/usr/bin/env bash
# bench/cluster-soak.sh - issue 8's cluster targets on real processes: three `bin/fleetrun daemon`
# nodes on one fresh PostgreSQL database and N OpenSSH targets on 127.0.0.1.
#
#   bench/cluster-soak.sh [--secs 300] [--hosts 10] [--kill-at SECS/2 | 0] [--once-at SECS/4]
#                         [--long-lead 40] [--long-tries 10] [--holder-wait 60] [--dir DIR] [--keep]
#
# Timeline, in seconds after the three nodes are alive and the rate(1s) job has fired:
#   --once-at S      the same one-time job (`soak-once`, `echo once` on every host) is written
#                    into the three nodes' config files at the same moment (three renames)
#   kill-at - lead   an ad-hoc `bin/fleetrun run` of a long script (`sleep 600.NN`) on a host;
#                    invocation_record.node_id says which node runs it. A run that lands on a
#                    node not holding the rate job's Quartz trigger is stopped and tried again
#                    (--long-tries times at most; the last one is kept wherever it runs)
#   --kill-at S      kill -9 of THAT node, at the first moment (waiting at most --holder-wait s)
#                    it holds the rate job's trigger (qrtz_fired_triggers), so the kill costs
#                    the periodic job the most it can; if it never does, killed anyway.
#                    --kill-at 0: no kill (the report then checks the >= 3,000 records)
#   --secs S         the soak ends; the surviving nodes get SIGTERM
# Then a report computed by SQL from the database: records, duplicates per (scheduled_at,
# instance), fire times without a record and why (overlap skip, counted in
# invocation_instance.skipped; the kill window and the misfire policy), records per node, the
# one-time job's invocations and records, the long script's end and its remote process.
# Exit 0 only when every target is met. Options: --dir DIR work folder (default a new
# /tmp/fleetrun-soak.*), removed at the end unless --keep (then the database is kept too).
# BENCH_PG (default 127.0.0.1:5432, role postgres, no password), BENCH_BASE_PORT (default 25000).
set -euo pipefail

ROOT=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
BENCH=$ROOT/bench
SSHD=${SSHD:-/usr/sbin/sshd}
SECS=300 HOSTS=10 KILL_AT="" ONCE_AT="" LONG_LEAD=40 LONG_TRIES=10 HOLDER_WAIT=60
WORK="" KEEP=0 BASE_PORT=${BENCH_BASE_PORT:-25000}
JOB=every-second ONCE_JOB=soak-once
NODES=(n1 n2 n3)

log() { echo "soak: $(date -u +%H:%M:%S) $*" >&2; }
die() { echo "soak: $*" >&2; exit 1; }
usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

while (($#)); do
  case $1 in
    --secs) SECS=$2; shift 2 ;;
    --hosts) HOSTS=$2; shift 2 ;;
    --kill-at) KILL_AT=$2; shift 2 ;;
    --once-at) ONCE_AT=$2; shift 2 ;;
    --long-lead) LONG_LEAD=$2; shift 2 ;;
    --holder-wait) HOLDER_WAIT=$2; shift 2 ;;
    --long-tries) LONG_TRIES=$2; shift 2 ;;
    --dir) WORK=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h | --help) usage ;;
    *) echo "soak: unknown argument $1" >&2; usage ;;
  esac
done
KILL_AT=${KILL_AT:-$((SECS / 2))} ONCE_AT=${ONCE_AT:-$((SECS / 4))}
for v in SECS HOSTS KILL_AT ONCE_AT LONG_LEAD LONG_TRIES HOLDER_WAIT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "--$(tr 'A-Z_' 'a-z-' <<< "$v") must be a whole number of seconds, got '${!v}'"
done
((SECS >= 60 && HOSTS >= 1 && HOSTS <= 500)) || die "--secs must be at least 60 and --hosts 1..500"
((KILL_AT == 0 || (LONG_LEAD >= 5 && LONG_TRIES >= 1 && KILL_AT >= LONG_LEAD && KILL_AT + HOLDER_WAIT + 45 <= SECS))) ||
  die "need --long-lead >= 5, --kill-at >= --long-lead and --kill-at + --holder-wait + 45 <= --secs (the failover must be seen)"
((ONCE_AT + 10 <= SECS)) || die "--once-at must be at least 10 s before the end"

[[ $EUID -eq 0 ]] || die "run as root: the targets are sshd processes that log in as root"
[[ -x $SSHD ]] || die "$SSHD missing: apt-get install openssh-server (the system sshd need not run)"
for tool in ssh ssh-keygen psql python3 java ps; do
  command -v "$tool" > /dev/null || die "$tool is missing"
done
[[ ${BENCH_PG:-127.0.0.1:5432} == 127.0.0.1:* || ${BENCH_PG:-127.0.0.1:5432} == localhost:* ]] ||
  die "BENCH_PG must be on 127.0.0.1"

if [[ -z $WORK ]]; then WORK=$(mktemp -d /tmp/fleetrun-soak.XXXXXX); fi
mkdir -p "$WORK"; WORK=$(cd -P "$WORK" && pwd -P)
FARM=$WORK/farm
# shellcheck source=bench/farm.sh
source "$BENCH/farm.sh"
# shellcheck source=bench/fleetrun.sh
source "$BENCH/fleetrun.sh"   # sql, pg_admin, db_fresh, db_drop, vm (PostgreSQL: BENCH_PG)
DB=pg:fleetrun_soak_$(basename "$WORK" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' '_')
declare -A PID=()

load1() { cut -d' ' -f1 /proc/loadavg; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
q() { sql "$DB" "$1"; }
# seconds (2 decimals) from epoch A to epoch B
secs_between() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
elapsed() { secs_between "$T0" "$(now)"; }
# sleep until T0 + $1 s (bounded by the option checks: at most --secs)
sleep_until() {
  local d; d=$(python3 -c "import sys; print(max(0.0, float(sys.argv[1]) + float(sys.argv[2]) - float(sys.argv[3])))" "$T0" "$1" "$(now)")
  sleep "$d"
}

node_is_ours() {  # node_is_ours NODE: its pid is the JVM of `daemon --config WORK/NODE/fleetrun.yaml`
  local p=${PID[$1]:-}
  [[ -n $p && -r /proc/$p/cmdline ]] &&
    tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null | grep -qF "io.fleetrun.Main daemon --config $WORK/$1/fleetrun.yaml"
}

nodes_stop() {  # SIGTERM to each of our nodes still running, 40 s at most, then SIGKILL
  local n k
  for n in "${NODES[@]}"; do node_is_ours "$n" && kill -TERM "${PID[$n]}" 2> /dev/null; done
  for ((k = 0; k < 400; k++)); do
    local left=0
    for n in "${NODES[@]}"; do node_is_ours "$n" && left=1; done
    ((left)) || break
    sleep 0.1
  done
  for n in "${NODES[@]}"; do
    node_is_ours "$n" && { log "node $n ignored SIGTERM for 40 s: SIGKILL"; kill -KILL "${PID[$n]}"; }
    [[ -n ${PID[$n]:-} ]] && wait "${PID[$n]}" 2> /dev/null
    PID[$n]=""
  done
  return 0
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  nodes_stop
  farm_stop "$FARM"
  if ((KEEP)); then
    log "kept $WORK and database ${DB#pg:}"
  else
    db_drop "$DB"; rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# config FILE [EXTRA_JOB_LINE]: the same bytes for every node (node ids are in data/node-id)
config() {
  local i
  {
    echo "# generated by bench/cluster-soak.sh: the same content on every node"
    echo "database: { url: \"jdbc:postgresql://$BENCH_PG/${DB#pg:}\", user: postgres }"
    echo "ssh: { user: root, identityFile: $FARM/id_ed25519, knownHosts: $FARM/known_hosts, hostKeyPolicy: strict }"
    echo "instances:"
    for ((i = 0; i < HOSTS; i++)); do
      echo "  - { id: t$((BASE_PORT + i)), host: 127.0.0.1, port: $((BASE_PORT + i)), tags: [all] }"
    done
    echo "commands:"
    echo "  - { id: ok, content: \"echo ok\" }"
    echo "  - { id: once, content: \"echo once\" }"
    echo "  - { id: long, content: \"$LONG_SLEEP; echo late\", timeout: 20m }"
    echo "jobs:"
    echo "  - { id: $JOB, command: ok, targets: { tags: [all] }, repeat: Period, frequency: \"rate(1s)\", overlap: skip }"
    [[ -z ${2:-} ]] || echo "$2"
  } > "$1"
}

# remote processes of the long script on this machine (the targets are local sshd's)
long_procs() { ps -e -o pid=,args= | grep -F -e "$LONG_SLEEP" -e "${MARKER:-no-marker-yet}" | grep -v -e grep -e 'ps -e' || true; }

# ---------------------------------------------------------------------------------------------
log "work dir $WORK; $(nproc) cpus; load $(loadavg); $HOSTS hosts, ${SECS}s, once at ${ONCE_AT}s, kill at ${KILL_AT}s"
START_LOAD=$(loadavg)
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
if [[ ! -f $ROOT/target/fleetrun.jar || ! -d $ROOT/target/lib ]]; then
  log "building fleetrun (mvn -o -B -q -DskipTests package)"
  (cd "$ROOT" && mvn -o -B -q -DskipTests package) >&2
fi
farm_start "$FARM" "$HOSTS" "$BASE_PORT"
farm_check "$FARM" 1
LONG_SLEEP="sleep 600.$((RANDOM % 90 + 10))"
db_fresh "$DB"
for n in "${NODES[@]}"; do
  mkdir -p -m 700 "$WORK/$n/data"
  (umask 077; echo "$n" > "$WORK/$n/data/node-id")
  config "$WORK/$n/fleetrun.yaml"
done
for n in "${NODES[@]}"; do
  "$ROOT/bin/fleetrun" daemon --config "$WORK/$n/fleetrun.yaml" > "$WORK/$n/daemon.log" 2>&1 < /dev/null &
  PID[$n]=$!
done
for ((k = 0; k < 600; k++)); do  # 120 s at most
  for n in "${NODES[@]}"; do
    kill -0 "${PID[$n]}" 2> /dev/null || { tail -20 "$WORK/$n/daemon.log" >&2; die "node $n exited at start"; }
  done
  [[ $(q "SELECT count(*) FROM daemon_node WHERE stopped_at IS NULL AND node_id IN ('n1','n2','n3')" 2> /dev/null || echo 0) == 3 &&
     $(q "SELECT count(*) FROM qrtz_scheduler_state" 2> /dev/null || echo 0) == 3 &&
     $(q "SELECT count(*) FROM invocation_record" 2> /dev/null || echo 0) -gt 0 ]] && break
  sleep 0.2
done
((k < 600)) || die "the three nodes were not all alive and firing within 120 s (see $WORK/n*/daemon.log)"
for n in "${NODES[@]}"; do node_is_ours "$n" || die "pid ${PID[$n]} is not node $n"; done
T0=$(now)
NODE_PIDS="${PID[n1]} ${PID[n2]} ${PID[n3]}"
log "3 nodes alive (pids ${PID[n1]} ${PID[n2]} ${PID[n3]}), $JOB firing; soak clock starts"

# --- the one-time job, written into the three files at the same moment -----------------------
sleep_until "$ONCE_AT"
once_line="  - { id: $ONCE_JOB, command: once, targets: { tags: [all] }, repeat: Once }"
for n in "${NODES[@]}"; do config "$WORK/$n/fleetrun.yaml.new" "$once_line"; done
ONCE_T=$(now)
for n in "${NODES[@]}"; do mv -f "$WORK/$n/fleetrun.yaml.new" "$WORK/$n/fleetrun.yaml"; done
log "one-time job $ONCE_JOB written into the three config files within $(secs_between "$ONCE_T" "$(now)") s"

# --- the long script, then kill -9 of the node that runs it -------------------------------------
# holder: the node that holds the rate job's Quartz trigger now (acquired or executing a fire)
holder() { q "SELECT instance_name FROM qrtz_fired_triggers WHERE trigger_name = '$JOB' LIMIT 1"; }
# long_start HOST: an ad-hoc run of the long script; sets LONG_INVOKE LONG_RECORD VICTIM MARKER
long_start() {
  local r="" deadline
  "$ROOT/bin/fleetrun" run --config "$WORK/n1/fleetrun.yaml" --command long --instances "$1" \
    > "$WORK/long.out" 2> "$WORK/long.err" || die "run of the long script failed: $(cat "$WORK/long.err")"
  LONG_INVOKE=$(grep -m1 -oE '^[a-z]-[a-z0-9]+$' "$WORK/long.out" || true)
  [[ -n $LONG_INVOKE ]] || die "no invoke id from run: $(cat "$WORK/long.out" "$WORK/long.err")"
  deadline=$(date -d '+60 seconds' +%s)
  while (($(date +%s) < deadline)); do
    r=$(q "SELECT record_id || '|' || node_id FROM invocation_record WHERE invoke_id = '$LONG_INVOKE'
      AND detail_status = 'Running' AND remote_pgid IS NOT NULL")
    [[ -n $r && -n $(long_procs) ]] && break
    sleep 0.2
  done
  [[ -n $r ]] || die "the long script's record did not run within 60 s"
  LONG_RECORD=${r%%|*} VICTIM=${r#*|}
  MARKER="fleetrun-$LONG_INVOKE-$LONG_RECORD"
  [[ -n ${PID[$VICTIM]:-} ]] || die "the long script runs on '$VICTIM', not one of our nodes"
}
# long_stop: `fleetrun stop` of a try that did not land on the trigger's holder; waits (60 s at
# most) until its record ended and its process is gone, so the kill's check starts clean
long_stop() {
  local deadline
  "$ROOT/bin/fleetrun" stop --config "$WORK/n1/fleetrun.yaml" "$LONG_INVOKE" > /dev/null 2>> "$WORK/long.err" ||
    die "stop of $LONG_INVOKE failed: $(tail -3 "$WORK/long.err")"
  deadline=$(date -d '+60 seconds' +%s)
  while (($(date +%s) < deadline)); do
    [[ $(q "SELECT status FROM invocation_record WHERE record_id = $LONG_RECORD") != Running && -z $(long_procs) ]] && return 0
    sleep 0.2
  done
  die "the stopped long script $LONG_INVOKE did not end within 60 s: $(long_procs)"
}

KILL_T="" KILL_ISO="" KILL_HELD=n/a holder_seen="" LONG_INVOKE="" LONG_RECORD="" VICTIM="" MARKER="" TRIES=0
END_SEEN="" GONE_SEEN="" PROCS_AT_30="" LAST_FIRE_BEFORE=""
if ((KILL_AT > 0)); then
  sleep_until $((KILL_AT - LONG_LEAD))
  # The kill shows most when the killed node also holds the rate job's trigger (the node that
  # fires a trigger acquires its next fire at once, so one node tends to keep it): ad-hoc runs
  # are claimed by whichever node polls first, so a run that lands elsewhere is stopped and
  # tried again, --long-tries times at most; the last one is kept wherever it runs.
  for ((TRIES = 1; TRIES <= LONG_TRIES; TRIES++)); do
    long_start "t$((BASE_PORT + (TRIES - 1) % HOSTS))"
    holder_seen=$(holder)
    log "try $TRIES: long script $LONG_INVOKE record $LONG_RECORD runs on node $VICTIM; the $JOB trigger is on ${holder_seen:-no node}"
    if [[ $holder_seen == "$VICTIM" ]] || ((TRIES == LONG_TRIES || $(date +%s) >= ${T0%.*} + KILL_AT)); then break; fi
    long_stop
  done
  log "long script on node $VICTIM (pid ${PID[$VICTIM]}): $(long_procs | wc -l) process(es) on the target"

  sleep_until "$KILL_AT"
  deadline=$(($(date +%s) + HOLDER_WAIT))
  holder_seen=$(holder)
  while [[ $holder_seen != "$VICTIM" ]] && (($(date +%s) < deadline)); do
    sleep 0.05
    holder_seen=$(holder)
  done
  node_is_ours "$VICTIM" || die "node $VICTIM is gone before the kill"
  kill -KILL "${PID[$VICTIM]}"
  KILL_T=$(now)
  KILL_ISO=$(date -u -d "@$KILL_T" +%Y-%m-%dT%H:%M:%S.%3NZ)
  KILL_HELD=$([[ $holder_seen == "$VICTIM" ]] && echo yes || echo no)
  LAST_FIRE_BEFORE=$(q "SELECT max(scheduled_at) FROM invocation_record WHERE invoke_id = (SELECT invoke_id FROM invocation WHERE job_id = '$JOB' LIMIT 1)")
  wait "${PID[$VICTIM]}" 2> /dev/null || true
  PID[$VICTIM]=""
  log "kill -9 of node $VICTIM at $KILL_ISO (it held the $JOB trigger: $KILL_HELD; last fire recorded $LAST_FIRE_BEFORE)"

  # watch the take-over: the record's end and the remote process, 60 s at most
  deadline=$(($(date +%s) + 60))
  while (($(date +%s) < deadline)); do
    t=$(now)
    [[ -z $END_SEEN && $(q "SELECT status FROM invocation_record WHERE record_id = $LONG_RECORD") != Running ]] && END_SEEN=$t
    [[ -z $GONE_SEEN && -z $(long_procs) ]] && GONE_SEEN=$t
    [[ -n $END_SEEN && -n $GONE_SEEN ]] && break
    sleep 0.2
  done
  PROCS_AT_30=$(long_procs)
  log "take-over seen: record ended after $([[ -n $END_SEEN ]] && secs_between "$KILL_T" "$END_SEEN" || echo '>60') s, remote process gone after $([[ -n $GONE_SEEN ]] && secs_between "$KILL_T" "$GONE_SEEN" || echo '>60') s"
fi

sleep_until "$SECS"
END_LOAD=$(loadavg)
SOAK_WALL=$(elapsed)
log "soak over after ${SOAK_WALL}s (load $END_LOAD): SIGTERM to the surviving nodes"
nodes_stop
PROCS_END=$(long_procs)

# ---------------------------------------------------------------------------------------------
# The report: every figure from SQL on the database, the rest from ps and the nodes' logs.
FAIL=0
check() {  # check OK|FAIL|INFO TEXT
  case $1 in
    OK) echo "  [met]     $2" ;;
    INFO) echo "  [info]    $2" ;;
    *) echo "  [NOT MET] $2"; FAIL=1 ;;
  esac
}
yes_no() { if "$@"; then echo OK; else echo FAIL; fi; }
le30() { python3 -c 'import sys; sys.exit(0 if sys.argv[1] not in ("", "?") and float(sys.argv[1]) <= 30 else 1)' "$1" 2> /dev/null; }
ts() { echo "CAST($1 AS timestamptz)"; }
hms() { echo "to_char($1 AT TIME ZONE 'UTC', 'HH24:MI:SS.MS')"; }
KILL_TS=$([[ -n $KILL_ISO ]] && ts "'$KILL_ISO'" || echo "CAST(NULL AS timestamptz)")

INV=$(q "SELECT invoke_id FROM invocation WHERE job_id = '$JOB' ORDER BY created_at")
n_inv=$(wc -w <<< "$INV")
INV=${INV%%$'\n'*}
# The job's fire times: those with a record, plus the fire times between two recorded ones more
# than 1.5 s apart (rate(1s): p + 1 s, p + 2 s, ... before the next): no instance has a record
# there. A gap that spans the kill is the kill window; any other must be overlap skips of every
# instance. (After a misfire the rate restarts from the fire at recovery: a new sub-second phase,
# so the grid is taken from the fire before each gap, not from the first fire.)
GRID="f AS (SELECT DISTINCT $(ts scheduled_at) AS t FROM invocation_record WHERE invoke_id = '$INV'),
  g AS (SELECT lag(t) OVER (ORDER BY t) AS p, t FROM f),
  gap AS (SELECT p, t, p + k * interval '1 second' AS m,
      ($KILL_TS IS NOT NULL AND p <= $KILL_TS AND t >= $KILL_TS) AS in_kill
    FROM g, generate_series(1, CAST(ceil(extract(epoch FROM t - p)) AS int) - 1) AS k
    WHERE t - p > interval '1.5 seconds')"

echo
echo "fleetrun cluster soak: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cpus, commit $(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo '?')"
echo "command: bench/cluster-soak.sh --secs $SECS --hosts $HOSTS --kill-at $KILL_AT --once-at $ONCE_AT --long-lead $LONG_LEAD --long-tries $LONG_TRIES --holder-wait $HOLDER_WAIT"
echo "3 nodes (n1 n2 n3: pids ${NODE_PIDS}), one PostgreSQL 15 database on $BENCH_PG, $HOSTS OpenSSH targets on 127.0.0.1; soak ${SOAK_WALL} s from the 3 nodes alive to SIGTERM; load average at start $START_LOAD, at end $END_LOAD"
echo
echo "== 1. rate(1s) job '$JOB' on $HOSTS hosts: every (fire, host) exactly once"
IFS='|' read -r recs fires first_fire last_fire span <<< "$(q "SELECT count(*), count(DISTINCT scheduled_at), min(scheduled_at), max(scheduled_at),
  round(CAST(extract(epoch FROM $(ts 'max(scheduled_at)') - $(ts 'min(scheduled_at)')) AS numeric), 1)
  FROM invocation_record WHERE invoke_id = '$INV'")"
echo "periodic invocations of the job: $n_inv ($INV)"
echo "records: $recs over $fires fire times with a record, first $first_fire, last $last_fire ($span s apart)"
echo "records by status/exit or error: $(q "SELECT string_agg(s || ' x' || c, ', ' ORDER BY c DESC) FROM (SELECT status || '/' || COALESCE(error_code, CAST(exit_code AS varchar), '-') AS s, count(*) AS c
  FROM invocation_record WHERE invoke_id = '$INV' GROUP BY 1) x")"
dups=$(q "SELECT scheduled_at || ' ' || instance_id || ' x' || count(*) FROM invocation_record
  GROUP BY invoke_id, scheduled_at, instance_id HAVING count(*) > 1 ORDER BY 1")
echo "(scheduled_at, instance) with more than one record: $(grep -c . <<< "$dups" || true)${dups:+: $(tr '\n' ' ' <<< "$dups")}"
echo "fire times whose records came from more than one node: $(q "SELECT count(*) FROM (SELECT scheduled_at FROM invocation_record
  WHERE invoke_id = '$INV' GROUP BY scheduled_at HAVING count(DISTINCT node_id) > 1) x")"
echo "fires refused as duplicates by the database (nodes' logs): $(cat "$WORK"/n*/daemon.log | grep -c "refused by the database" || true)"
echo "records per node: $(q "SELECT string_agg(node_id || ' ' || c || ' (' || f || ' fires, ' || a || ' to ' || b || ')', '; ' ORDER BY node_id)
  FROM (SELECT node_id, count(*) c, count(DISTINCT scheduled_at) f, substr(min(scheduled_at), 12, 8) a, substr(max(scheduled_at), 12, 8) b
  FROM invocation_record WHERE invoke_id = '$INV' GROUP BY node_id) x")"
echo
echo "-- fire times without any record (between recorded fire times more than 1.5 s apart):"
gaps=$(q "WITH $GRID SELECT $(hms p) || '|' || $(hms t) || '|' || round(CAST(extract(epoch FROM t - p) AS numeric), 3) || '|'
    || count(*) || '|' || CASE WHEN bool_or(in_kill) THEN 'kill' ELSE 'other' END || '|'
    || COALESCE(CAST(round(CAST(extract(epoch FROM t - $KILL_TS) AS numeric), 2) AS varchar), '-') || '|'
    || round(CAST(extract(epoch FROM t - p) AS numeric) % 1, 3)
  FROM gap GROUP BY p, t ORDER BY p")
lost_kill=0 other_gap_fires=0 kill_gap_after="" kill_phase=""
[[ -n $gaps ]] || echo "   none"
while IFS='|' read -r gp gt gd glost gwhy gafter gphase; do
  [[ -n $gp ]] || continue
  if [[ $gwhy == kill ]]; then
    lost_kill=$((lost_kill + glost)); kill_gap_after=$gafter kill_phase=$gphase
    echo "   $gp -> $gt: ${gd} s, $glost fire time(s) without a record: the kill window (kill at ${KILL_ISO:11:12}; the next fire ${gafter} s after the kill)"
  else
    other_gap_fires=$((other_gap_fires + glost))
    echo "   $gp -> $gt: ${gd} s, $glost fire time(s) without a record, not the kill: must be overlap skips of every instance (below)"
  fi
done <<< "$gaps"
misfire_lines=$(grep -h "missed its fire time" "$WORK"/n*/daemon.log | grep -F "job $JOB " || true)
echo "   misfire log lines for $JOB: $(grep -c . <<< "$misfire_lines" || true)${misfire_lines:+: $(head -3 <<< "$misfire_lines" | sed 's/^[^ ]* [A-Z]* *\[[^]]*\] [^ ]* - //' | tr '\n' ' ')}"
late_lines=$(grep -h "fire of job $JOB due .* not run" "$WORK"/n*/daemon.log | sed 's/^.* due \([^ ]*\) not run.*$/\1/' | sort || true)
echo "   late fires of $JOB left out as superseded (INFO 'fire of job ... not run'): $(grep -c . <<< "$late_lines" || true)${late_lines:+, due $(head -1 <<< "$late_lines" | cut -c12-23) to $(tail -1 <<< "$late_lines" | cut -c12-23)}"
if [[ -n $kill_phase ]]; then
  if python3 -c 'import sys; p = float(sys.argv[1]); sys.exit(0 if p < 0.005 or p > 0.995 else 1)' "$kill_phase"; then
    echo "   after the kill window the fires keep the old phase (gap a whole number of seconds): the trigger was recovered less than the misfire threshold (10 s) after its due fire; Quartz fired the late fire times in a row and fleetrun ran only the last (JobTriggers.isSuperseded)"
  else
    echo "   after the kill window the fires have a new sub-second phase: the recovered fire was more than the misfire threshold (10 s) late; misfire: run-once fired once at recovery and the rate restarted from then"
  fi
fi
echo
echo "-- (fire, instance) without a record, per instance, against invocation_instance.skipped (overlap: skip):"
pairs=$(q "WITH $GRID, fire AS (SELECT t FROM f UNION SELECT m FROM gap WHERE NOT in_kill),
  i AS (SELECT instance_id, skipped, repeats FROM invocation_instance WHERE invoke_id = '$INV')
  SELECT i.instance_id || '|' || count(*) FILTER (WHERE r.record_id IS NULL) || '|' || i.skipped || '|' || i.repeats || '|'
    || count(r.record_id) || '|' || COALESCE(string_agg($(hms fire.t), ' ' ORDER BY fire.t) FILTER (WHERE r.record_id IS NULL), '')
  FROM i CROSS JOIN fire LEFT JOIN invocation_record r
    ON r.invoke_id = '$INV' AND r.instance_id = i.instance_id AND $(ts r.scheduled_at) = fire.t
  GROUP BY i.instance_id, i.skipped, i.repeats ORDER BY i.instance_id")
unexplained=0 skipped_total=0 missing_total=0 shown=0
while IFS='|' read -r inst missing skipped repeats nrec list; do
  [[ -n $inst ]] || continue
  skipped_total=$((skipped_total + skipped)); missing_total=$((missing_total + missing))
  flag=""
  ((missing == skipped)) || { flag="  <- NOT equal"; unexplained=$((unexplained + 1)); }
  ((missing == 0 && skipped == 0)) && continue
  ((shown < 12)) || [[ -n $flag ]] || continue
  shown=$((shown + 1))
  echo "   $inst: $missing missing, skipped $skipped, repeats $repeats, records $nrec (missing at ${list:0:160})$flag"
done <<< "$pairs"
echo "   all instances: $missing_total (fire, instance) without a record outside the kill window, $skipped_total skips counted; instances where the two differ: $unexplained"
grid=$((fires + other_gap_fires))
echo "   arithmetic: records $recs + skips $skipped_total = $((recs + skipped_total)); fire times $grid (with a record $fires + all-skipped $other_gap_fires) x $HOSTS hosts = $((grid * HOSTS)); fire times lost in the kill window: $lost_kill"
echo

if ((KILL_AT > 0)); then
  echo "== 2. kill -9 of the node running a long script"
  IFS='|' read -r l_status l_detail l_error l_info l_finish l_node <<< "$(q "SELECT status, detail_status, COALESCE(error_code, '-'),
    COALESCE(replace(error_info, '|', '/'), '-'), COALESCE(finish_time, '-'), node_id FROM invocation_record WHERE record_id = $LONG_RECORD")"
  kill_to_end=$(q "SELECT round(CAST(extract(epoch FROM $(ts "'$l_finish'") - $KILL_TS) AS numeric), 2)" 2> /dev/null || echo '?')
  gone_after=$([[ -n $GONE_SEEN ]] && secs_between "$KILL_T" "$GONE_SEEN" || echo "")
  echo "long script '$LONG_SLEEP; echo late': try $TRIES of $LONG_TRIES landed on node $l_node (invocation $LONG_INVOKE, record $LONG_RECORD); killed at $KILL_ISO"
  echo "the $JOB trigger was on the killed node at the kill: $KILL_HELD (qrtz_fired_triggers: ${holder_seen:-no row}); last fire recorded before: $LAST_FIRE_BEFORE"
  echo "its record: $l_status / $l_detail / $l_error, finish_time $l_finish: $kill_to_end s after the kill"
  echo "error info: $l_info"
  echo "declared dead: $(q "SELECT node_id || ' by ' || declared_dead_by || ' at ' || declared_dead_at FROM daemon_node WHERE declared_dead_at IS NOT NULL")"
  echo "its remote process (ps on this machine: '$LONG_SLEEP' or $MARKER): gone ${gone_after:-NOT within 60} s after the kill; left after the watch: $(grep -c . <<< "$PROCS_AT_30" || true); after the soak: $(grep -c . <<< "$PROCS_END" || true)"
  echo "take-over log: $(grep -h -e "declared dead by this node" -e "take-over of node" "$WORK"/n*/daemon.log | sed 's/^[^ ]* [A-Z]* *\[[^]]*\] [^ ]* - //' | tr '\n' ' ')"
  after_kill=$(q "SELECT count(*) FROM invocation_record WHERE invoke_id = '$INV' AND $(ts scheduled_at) > $KILL_TS + interval '40 seconds'")
  echo "fires of $JOB after the kill: $(q "SELECT count(DISTINCT scheduled_at) || ' fire times, ' || count(*) || ' records, by ' || COALESCE(string_agg(DISTINCT node_id, ' '), 'none')
    FROM invocation_record WHERE invoke_id = '$INV' AND $(ts scheduled_at) > $KILL_TS")"
  echo "records of $JOB left Running: $(q "SELECT count(*) FROM invocation_record WHERE invoke_id = '$INV' AND status = 'Running'")"
  echo
fi

echo "== 3. one-time job '$ONCE_JOB' written into the three config files at once"
echo "nodes whose reload added it: $(grep -l "jobs added \[$ONCE_JOB\]" "$WORK"/n*/daemon.log 2> /dev/null | xargs -r -n1 dirname | xargs -r -n1 basename | tr '\n' ' ')"
once_invs=$(q "SELECT count(*) FROM invocation WHERE job_id = '$ONCE_JOB'")
once_rows=$(q "SELECT count(*) FROM once_job WHERE job_id = '$ONCE_JOB'")
IFS='|' read -r once_recs once_insts once_max once_ok once_nodes <<< "$(q "SELECT count(*), count(DISTINCT instance_id), COALESCE(max(c), 0),
  COALESCE(sum(ok), 0), COALESCE(string_agg(DISTINCT node_id, ' '), '-') FROM (SELECT r.instance_id, r.node_id,
  count(*) OVER (PARTITION BY r.instance_id) AS c, CASE WHEN r.status = 'Finished' AND r.exit_code = 0 THEN 1 ELSE 0 END AS ok
  FROM invocation_record r JOIN invocation i USING (invoke_id) WHERE i.job_id = '$ONCE_JOB') x")"
echo "invocations: $once_invs; once_job rows: $once_rows; records: $once_recs on $once_insts instances (at most $once_max per instance), $once_ok Finished exit 0, by node(s) $once_nodes"
echo
echo "== targets"
check "$(yes_no test "$n_inv" -eq 1 -a "$recs" -gt 0)" "1: one periodic invocation of $JOB for the whole cluster ($n_inv)"
check "$(yes_no test -z "$dups")" "1: no (scheduled_at, instance) with two records"
check "$(yes_no test "$unexplained" -eq 0)" "1: every (fire, instance) without a record outside the kill window is an overlap skip counted on invocation_instance.skipped ($missing_total without a record, $skipped_total skips)"
if ((KILL_AT == 0)); then
  check "$(yes_no test "$recs" -ge 3000 -o $((HOSTS * SECS)) -lt 3000)" "1: at least 3,000 records ($recs)"
else
  check INFO "1: $recs records; $lost_kill fire times x $HOSTS hosts lost in the kill window (the >= 3,000 records of a 300 s soak are checked without a kill: --kill-at 0)"
  check "$(yes_no test "$l_status/$l_error" = Failed/ExecutionInterrupted)" "2: the killed node's long record is Failed / ExecutionInterrupted ($l_status / $l_error)"
  check "$(le30 "$kill_to_end" && echo OK || echo FAIL)" "2: ... within 30 s of the kill ($kill_to_end s)"
  check "$(le30 "$gone_after" && [[ -z $PROCS_AT_30 && -z $PROCS_END ]] && echo OK || echo FAIL)" "2: no process of it left on the target, within 30 s (gone after ${gone_after:-?} s)"
  check "$(yes_no test "$after_kill" -gt 0)" "2: $JOB goes on firing on the survivors ($after_kill records scheduled 40 s and more after the kill)"
  check "$([[ -z $kill_gap_after ]] || le30 "$kill_gap_after" && echo OK || echo FAIL)" "2: fire times lost only in the kill window ($lost_kill), the first fire after the kill ${kill_gap_after:-n/a (no gap)} s after it (<= 30 s)"
fi
check "$(yes_no test "$once_invs" -eq 1 -a "$once_rows" -eq 1 -a "$once_recs" -eq "$HOSTS" -a "$once_insts" -eq "$HOSTS" -a "$once_max" -eq 1)" "3: $ONCE_JOB ran once: $once_invs invocation, $once_recs records on $once_insts of $HOSTS hosts, at most $once_max per host"
echo
if ((FAIL)); then echo "soak: a target is NOT met"; exit 1; fi
echo "soak: every target met"
