# shellcheck shell=bash
# Helpers shared by bench/run.sh and bench/flood.sh (sourced, not run).

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
AUTHD_BIN=$TARGET_DIR/release/authd
REF_BIN=$TARGET_DIR/release/authd-bench-reference
NCPU=$(nproc)
CLK_TCK=$(getconf CLK_TCK)
export BENCH_LUA_DIR=$BENCH_DIR/lua
# shellcheck disable=SC2034 # used by the scripts that source this file
BENCH_EMAIL=bench@example.com
# shellcheck disable=SC2034
BENCH_PASSWORD="correct horse battery staple"
# A load run stops early (and is reported as such) if the server's RSS passes this: the box is shared.
BENCH_RSS_CAP_MIB=${BENCH_RSS_CAP_MIB:-4096}

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# wrk, curl and jq; from Debian's apt when missing.
ensure_tools() {
  local missing=() tool
  for tool in wrk curl jq; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if ((${#missing[@]})); then
    log "installing ${missing[*]} (apt-get)"
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

build_release() {
  log "cargo build --release --locked (authd, then the reference server)"
  # One target dir for both, so the reference shares authd's compiled dependencies.
  (cd "$REPO" && CARGO_TARGET_DIR=$TARGET_DIR cargo build --release --locked)
  CARGO_TARGET_DIR=$TARGET_DIR cargo build --release --locked --manifest-path "$BENCH_DIR/reference/Cargo.toml"
  [[ -x $AUTHD_BIN && -x $REF_BIN ]] || die "release binaries not found under $TARGET_DIR/release"
}

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    && return
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    ss -ltn | grep -q ":$port " || { echo "$port"; return; }
  done
}

now_ns() { date +%s%N; }

# status_kib PID FIELD: a field of /proc/PID/status in KiB (VmRSS, VmHWM) or plain (Threads).
status_field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
# cpu_ticks PID: utime + stime of the process (all threads), in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# wait_200 URL TIMEOUT_S: tight loop until URL answers 200; fails after TIMEOUT_S.
wait_200() {
  local url=$1 deadline=$(($(date +%s) + $2))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null) == 200 ]]; do
    (($(date +%s) < deadline)) || return 1
    sleep 0.005
  done
}

# spawn_server VAR_PREFIX LOGFILE CMD...: starts CMD in the background; sets ${VAR_PREFIX}_PID and
# ${VAR_PREFIX}_T0 (spawn time, ns).
spawn_server() {
  local prefix=$1 logfile=$2
  shift 2
  printf -v "${prefix}_T0" '%s' "$(now_ns)"
  "$@" >"$logfile" 2>&1 &
  printf -v "${prefix}_PID" '%s' "$!"
}

stop_pid() {
  local pid=${1:-}
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

# json_post URL JSON: POST, prints the body; fails on a non-2xx status. The body goes through stdin so that no
# password or token appears on a command line.
json_post() {
  curl -sS --fail-with-body --max-time 30 -H 'content-type: application/json' --data-binary @- "$1" <<<"$2"
}

# wait_idle PID: waits (at most 5 s) until PID used at most 2 clock ticks of CPU in 0.2 s, e.g. until the
# server has finished the requests that were still queued when the previous load stopped.
wait_idle() {
  local a b
  for _ in $(seq 25); do
    a=$(cpu_ticks "$1")
    sleep 0.2
    b=$(cpu_ticks "$1")
    ((b - a <= 2)) && return 0
  done
  return 0
}

# run_wrk SCRIPT URL CONNS DURATION SERVER_PID [VAR=VALUE...]: one bounded load run. wrk uses one thread pinned
# to the last CPU (see README). Prints one line:
#   requests rps p50_us p99_us cpu_us_per_req non2xx s503 max_threads peak_kib aborted KEY=VALUE...
# where rps counts the successful (2xx/3xx) responses, cpu_us_per_req is the server's utime+stime over the run
# divided by all completed responses, and the KEY=VALUE extras are status counts (s200=...), rps_all (every
# response), dur_s (wrk's measured duration), sockerr, timeouts and the refresh pool's figures.
run_wrk() {
  local script=$1 url=$2 conns=$3 dur=$4 pid=$5
  shift 5
  local out
  out=$(mktemp)
  local pin=()
  if ((NCPU >= 2)) && command -v taskset >/dev/null; then pin=(taskset -c "$((NCPU - 1))"); fi
  local ticks0 ticks1 wpid max_threads=0 th rss rss0 aborted=0
  wait_idle "$pid"
  ticks0=$(cpu_ticks "$pid")
  rss0=$(status_field "$pid" VmRSS)
  env "$@" BENCH_THREADS=1 "${pin[@]}" wrk -t1 -c"$conns" -d"$dur" --timeout 10s -s "$BENCH_LUA_DIR/$script" "$url" \
    >"$out" 2>&1 &
  wpid=$!
  while kill -0 "$wpid" 2>/dev/null; do
    th=$(status_field "$pid" Threads || echo 0)
    ((th > max_threads)) && max_threads=$th
    rss=$(status_field "$pid" VmRSS || echo 0)
    # Above the cap, and grown during this run: stop the load (SIGINT: wrk still prints its figures).
    if ((rss > BENCH_RSS_CAP_MIB * 1024 && rss > rss0 + 65536)); then
      log "server RSS $(mib "$rss") MiB > cap ${BENCH_RSS_CAP_MIB} MiB: stopping this load run early"
      kill -INT "$wpid" 2>/dev/null || true
      aborted=1
      wait "$wpid" || true
      break
    fi
    sleep 0.2
  done
  wait "$wpid" || ((aborted)) || { cat "$out" >&2; rm -f "$out"; die "wrk failed ($script)"; }
  ticks1=$(cpu_ticks "$pid")
  local line
  line=$(grep '^BENCH ' "$out" || true)
  rm -f "$out"
  if [[ -z $line ]]; then
    echo "0 0 0 0 0 0 0 $max_threads $(status_field "$pid" VmHWM) $aborted"
    return
  fi
  awk -v line="$line" -v d0="$ticks0" -v d1="$ticks1" -v hz="$CLK_TCK" -v th="$max_threads" \
    -v hwm="$(status_field "$pid" VmHWM)" -v ab="$aborted" 'BEGIN {
      n = split(line, kv, " ")
      for (i = 2; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
      req = v["requests"] + 0
      # req/s counts the successful (2xx/3xx) responses only: a 503 or 401 is not throughput.
      rps = (req - v["non2xx"]) / (v["duration_us"] / 1e6)
      cpu = req > 0 ? (d1 - d0) / hz * 1e6 / req : 0
      extra = ""
      for (k in v) if (k ~ /^s[0-9]+$/ || k ~ /^pool_/ || k == "sockerr" || k == "timeouts") extra = extra " " k "=" v[k]
      extra = extra sprintf(" rps_all=%.1f dur_s=%.1f", req / (v["duration_us"] / 1e6), v["duration_us"] / 1e6)
      printf "%d %.1f %d %d %.1f %d %d %d %d %d%s\n", req, rps, v["p50_us"], v["p99_us"], cpu,
        v["non2xx"] + v["sockerr"] + v["timeouts"], v["s503"] + 0, th, hwm, ab, extra
    }'
}
