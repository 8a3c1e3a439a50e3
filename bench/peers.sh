# bench/peers.sh - sourced by bench/run.sh: the peers fleetrun is measured against, on the
# same targets in the same run. Client CPU and peak RSS come from /usr/bin/time (user+sys of
# the tool and every child it waited for; RSS is the largest single process, not the sum).
# Uses from run.sh: WORK FARM row load1 log; from farm.sh: farm_cpu_ticks farm_settle.

MASTERS_DIR=""

hosts_file() {  # the first $1 targets as 127.0.0.1:PORT lines
  [[ -f $WORK/hosts-$1 ]] || head -n "$1" "$FARM/hosts" > "$WORK/hosts-$1"
  echo "$WORK/hosts-$1"
}
ports_file() {
  [[ -f $WORK/ports-$1 ]] || head -n "$1" "$FARM/ports" > "$WORK/ports-$1"
  echo "$WORK/ports-$1"
}

# timed NAME N ROUND DIR SETTLE OKPATTERN CMD...: run CMD under /usr/bin/time, add a row
timed() {
  local name=$1 n=$2 round=$3 dir=$4 settle=$5 okpat=$6 rc s0 s1 lb e u s m ok
  shift 6
  s0=$(farm_cpu_ticks "$FARM"); lb=$(load1)
  set +e
  /usr/bin/time -f '%e %U %S %M' -o "$dir/time" "$@" > "$dir/out" 2> "$dir/err" < /dev/null
  rc=$?
  set -e
  ((settle)) && farm_settle "$FARM" 5
  s1=$(farm_cpu_ticks "$FARM")
  read -r e u s m < <(tail -n 1 "$dir/time")
  ok=$(grep -cE "$okpat" "$dir/out" || true)
  row "$name" "$n" "$round" "$e" "$(python3 -c "import sys; print(f'{float(sys.argv[1]) + float(sys.argv[2]):.2f}')" "$u" "$s")" \
    "$m" "$rc" "$(ticks_s $((s1 - s0)))" "$lb" "$(load1)" "$ok/$n ok"
  log "$name N=$n: wall ${e}s, exit $rc, $ok/$n ok"
}

# bench_pssh N ROUND default|curve25519
bench_pssh() {
  local n=$1 round=$2 kex=$3 dir name
  dir=$WORK/pssh-$n-$round-$kex; mkdir -p "$dir"
  local -a args=(-h "$(hosts_file "$n")" -p "$n" -t 0 -x "-F $FARM/ssh_config")
  name="pssh -p $n"
  if [[ $kex == curve25519 ]]; then
    args+=(-O KexAlgorithms=curve25519-sha256); name+=" (curve25519)"
  else
    name+=" (default kex)"
  fi
  timed "$name" "$n" "$round" "$dir" 1 '\[SUCCESS\]' parallel-ssh "${args[@]}" echo ok
}

masters_close() {
  [[ -n $MASTERS_DIR && -d $MASTERS_DIR ]] || return 0
  find "$MASTERS_DIR" -type s -printf '%f\n' | xargs -r -P 50 -I{} \
    ssh -F "$FARM/ssh_config" -o ControlPath="$MASTERS_DIR/%p" -O exit -p {} 127.0.0.1 > /dev/null 2>&1 || true
  MASTERS_DIR=""
}

# bench_controlmaster N ROUND: N kept OpenSSH connections opened first (untimed), then the
# same `echo ok` on each over them, N at once
bench_controlmaster() {
  local n=$1 round=$2 dir k ports
  dir=$WORK/cm-$n-$round; mkdir -p "$dir"
  MASTERS_DIR=$WORK/cm$round; mkdir -p "$MASTERS_DIR"
  ports=$(ports_file "$n")
  local -a opts=(-F "$FARM/ssh_config" -o ControlPath="$MASTERS_DIR/%p" -o ControlPersist=10m)
  xargs -a "$ports" -P 50 -I{} ssh "${opts[@]}" -o ControlMaster=yes -f -N -p {} 127.0.0.1 2> "$dir/masters.err" || true
  for ((k = 0; k < 100 && $(find "$MASTERS_DIR" -type s | wc -l) < n; k++)); do sleep 0.1; done
  (($(find "$MASTERS_DIR" -type s | wc -l) == n)) || log "controlmaster: only $(find "$MASTERS_DIR" -type s | wc -l) of $n masters opened"
  timed "ssh ControlMaster, xargs -P $n" "$n" "$round" "$dir" 0 '^ok$' \
    xargs -a "$ports" -P "$n" -I{} ssh "${opts[@]}" -o ControlMaster=auto -p {} 127.0.0.1 echo ok
  masters_close
}

# bench_ansible N ROUND: ansible's raw module, N forks (only when ansible is installed)
bench_ansible() {
  local n=$1 round=$2 dir p
  dir=$WORK/ansible-$n-$round; mkdir -p "$dir"
  {
    echo "[farm]"
    while read -r p; do echo "t$p ansible_host=127.0.0.1 ansible_port=$p ansible_user=root"; done < "$(ports_file "$n")"
  } > "$dir/inventory.ini"
  ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_SSH_ARGS="-F $FARM/ssh_config -o ControlMaster=no" \
    ANSIBLE_PRIVATE_KEY_FILE=$FARM/id_ed25519 ANSIBLE_LOCAL_TEMP=$dir/tmp \
    timed "ansible -m raw -f $n" "$n" "$round" "$dir" 1 '\| CHANGED \|' \
    ansible farm -i "$dir/inventory.ini" -m raw -a 'echo ok' -f "$n"
}

# bench_floor N: N fresh OpenSSH connections one after the other (no contention), with the
# default key exchange and with curve25519: the targets' sshd CPU per fresh connection is the
# physical floor of issue 7 (N fresh connections need N x that / cores of server CPU)
bench_floor() {
  local n=$1 kex dir
  for kex in default curve25519; do
    dir=$WORK/floor-$kex; mkdir -p "$dir"
    local -a o=()
    [[ $kex == curve25519 ]] && o=(-o KexAlgorithms=curve25519-sha256)
    timed "ssh one at a time ($kex kex)" "$n" 1 "$dir" 1 '^ok$' \
      xargs -a "$(ports_file "$n")" -P 1 -I{} ssh -F "$FARM/ssh_config" "${o[@]}" -p {} 127.0.0.1 echo ok
  done
}
