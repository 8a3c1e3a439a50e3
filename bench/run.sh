#!/usr/bin/env bash
# bench/run.sh - fleetrun against its peers on N real OpenSSH targets on 127.0.0.1 (issue 7).
#
#   bench/run.sh [--n 200] [--rounds 3] [--big-n 1000] [--big-rounds 1] [--rate-n 100] [--rate-secs 60]
#                [--parts fleetrun,pssh,controlmaster,floor,big] [--dir DIR] [--keep] [--out DIR]
#
# Parts (comma-separated; default fleetrun,pssh,controlmaster,floor,big):
#   fleetrun       per round: start the daemon on a fresh database, first run (fresh
#                  connections), second run (same daemon), stop the daemon
#   fleetrun-pg    the same on a fresh PostgreSQL database on $BENCH_PG (default
#                  127.0.0.1:5432, role postgres, no password), dropped after unless --keep
#   pssh           per round: parallel-ssh -p N with OpenSSH's default key exchange, and forced
#                  to curve25519-sha256 (the key exchange fleetrun negotiates)
#   controlmaster  per round: open N OpenSSH ControlMaster connections (untimed), then time
#                  `xargs -P N ssh -o ControlPath=...` running the same command over them
#   floor          once: min(N,50) fresh OpenSSH connections one at a time (default kex, then
#                  curve25519): the targets' sshd CPU per fresh connection, without contention
#   ansible        per round: ansible -m raw -f N (only when `ansible` is installed)
#   big            --big-rounds rounds on --big-n targets: fleetrun (fresh daemon) and pssh -p BIG_N
#   rate           a rate(1s) job on --rate-n targets (100) for --rate-secs (60): p99 of
#                  start_time - scheduled_at over the whole run and after its first 10 s, and
#                  the targets' sshd CPU per second (needs the scheduled_at column)
#   bigoutput      one run printing 1 GiB on one target: daemon RSS before, peak during, after
# The command is always `echo ok`. Everything runs as root (sshd, root login on the targets).
# Prints one table (bench/table.py); --out DIR keeps the raw rows (results.tsv,
# fleetrun-details.tsv). --dir: work folder (default: a new /tmp/fleetrun-bench.*), removed at
# the end unless --keep. Ports from $BENCH_BASE_PORT (default 24000) up.
set -euo pipefail

ROOT=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
BENCH=$ROOT/bench
SSHD=${SSHD:-/usr/sbin/sshd}
N=200 ROUNDS=3 BIG_N=1000 BIG_ROUNDS=1 RATE_N=100 RATE_SECS=60 PARTS=fleetrun,pssh,controlmaster,floor,big
WORK="" KEEP=0 OUT="" BASE_PORT=${BENCH_BASE_PORT:-24000}
HZ=$(getconf CLK_TCK)

log() { echo "bench: $(date -u +%H:%M:%S) $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }
usage() { sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

while (($#)); do
  case $1 in
    --n) N=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --big-n) BIG_N=$2; shift 2 ;;
    --big-rounds) BIG_ROUNDS=$2; shift 2 ;;
    --rate-n) RATE_N=$2; shift 2 ;;
    --rate-secs) RATE_SECS=$2; shift 2 ;;
    --parts) PARTS=$2; shift 2 ;;
    --dir) WORK=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h | --help) usage ;;
    *) echo "bench: unknown argument $1" >&2; usage ;;
  esac
done
for v in N ROUNDS BIG_N BIG_ROUNDS RATE_N RATE_SECS; do
  [[ ${!v} =~ ^[0-9]+$ && ${!v} -ge 1 ]] || die "--$(tr 'A-Z_' 'a-z-' <<< "$v") must be a positive integer, got '${!v}'"
done
has_part() { [[ ,$PARTS, == *,$1,* ]]; }
for p in ${PARTS//,/ }; do
  [[ $p =~ ^(fleetrun|fleetrun-pg|pssh|controlmaster|floor|ansible|big|rate|bigoutput)$ ]] || die "unknown part '$p' in --parts"
done

[[ $EUID -eq 0 ]] || die "run as root: the targets are sshd processes that log in as root"
[[ -x $SSHD ]] || die "$SSHD missing: apt-get install openssh-server (the system sshd need not run)"
for tool in ssh ssh-keygen sqlite3 python3 java; do
  command -v "$tool" > /dev/null || die "$tool is missing"
done
if has_part fleetrun-pg; then
  command -v psql > /dev/null || die "psql missing: apt-get install postgresql-client"
fi
if has_part pssh || has_part big; then
  command -v parallel-ssh > /dev/null || die "parallel-ssh missing: apt-get install pssh"
fi
[[ -x /usr/bin/time ]] || die "/usr/bin/time missing: apt-get install time"

# 1,000 targets: each connection is a socket here and in sshd, each ssh peer a few more fds
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
(($(ulimit -n) >= 4 * BIG_N + 1024)) || log "warning: ulimit -n is $(ulimit -n)"

if [[ -z $WORK ]]; then WORK=$(mktemp -d /tmp/fleetrun-bench.XXXXXX); fi
mkdir -p "$WORK"; WORK=$(cd -P "$WORK" && pwd -P)
FARM=$WORK/farm
RESULTS=$WORK/results.tsv
DETAILS=$WORK/fleetrun-details.tsv
EXTRAS=$WORK/extras.txt
: > "$EXTRAS"
# shellcheck source=bench/farm.sh
source "$BENCH/farm.sh"
# shellcheck source=bench/fleetrun.sh
source "$BENCH/fleetrun.sh"
# shellcheck source=bench/peers.sh
source "$BENCH/peers.sh"

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  daemon_stop
  masters_close
  farm_stop "$FARM"
  if ((KEEP)); then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

load1() { cut -d' ' -f1 /proc/loadavg; }
now() { date +%s.%N; }

# row TOOL N ROUND WALL CPU_S RSS_KB RC SSHD_CPU_S LOAD_BEFORE LOAD_AFTER NOTE
row() { (IFS=$'\t'; echo "$*") >> "$RESULTS"; }
printf 'tool\tn\tround\tinvoke_id\tcli_wall_s\trc\tanswer_s\tfirst_start_s\tlast_start_s\tlast_finish_s\trecords\tok\tfailed\terrors\tstatus\n' > "$DETAILS"
printf 'tool\tn\tround\twall_s\tcpu_s\trss_kb\trc\tsshd_cpu_s\tload_before\tload_after\tnote\n' > "$RESULTS"

farm_n=$N
if has_part big && ((BIG_N > farm_n)); then farm_n=$BIG_N; fi
if has_part rate && ((RATE_N > farm_n)); then farm_n=$RATE_N; fi
log "work dir $WORK; $(nproc) cpus; load $(load1); parts $PARTS"
farm_start "$FARM" "$farm_n" "$BASE_PORT"
farm_check "$FARM" 3

if [[ ! -f $ROOT/target/fleetrun.jar || ! -d $ROOT/target/lib ]]; then
  log "building fleetrun (mvn -B -q -DskipTests package)"
  (cd "$ROOT" && mvn -B -q -DskipTests package) >&2
fi

per_round=0
for p in fleetrun fleetrun-pg pssh controlmaster ansible; do has_part "$p" && per_round=1; done
for ((round = 1; per_round && round <= ROUNDS; round++)); do
  log "round $round/$ROUNDS, N=$N"
  has_part fleetrun && bench_fleetrun "$N" "$round" second
  has_part fleetrun-pg && bench_fleetrun "$N" "$round" second postgresql
  has_part pssh && bench_pssh "$N" "$round" default
  has_part pssh && bench_pssh "$N" "$round" curve25519
  has_part controlmaster && bench_controlmaster "$N" "$round"
  if has_part ansible; then
    if command -v ansible > /dev/null; then bench_ansible "$N" "$round"; else log "ansible not installed: skipped"; fi
  fi
done
has_part floor && bench_floor $((N < 50 ? N : 50))
if has_part big; then
  for ((round = 1; round <= BIG_ROUNDS; round++)); do
    log "big round $round/$BIG_ROUNDS, N=$BIG_N"
    bench_fleetrun "$BIG_N" "$round" no-second
    bench_pssh "$BIG_N" "$round" default
  done
fi
has_part rate && bench_rate "$RATE_N" "$RATE_SECS"
has_part bigoutput && bench_bigoutput

echo
echo "fleetrun bench: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cpus, $(uname -r), commit $(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo '?')"
echo "command: bench/run.sh --n $N --rounds $ROUNDS --big-n $BIG_N --big-rounds $BIG_ROUNDS --rate-n $RATE_N --rate-secs $RATE_SECS --parts $PARTS"
python3 "$BENCH/table.py" "$RESULTS" "$DETAILS" "$EXTRAS"
if [[ -n $OUT ]]; then mkdir -p "$OUT" && cp "$RESULTS" "$DETAILS" "$EXTRAS" "$OUT/"; fi
