# shellcheck shell=bash
# Helpers shared by bench/run.sh and bench/flood.sh (sourced, not run), on top of .ci/lib.sh (the temp
# directory, the free port, starting and stopping servers, /proc readings), which this file sources.

LIB_NAME=bench
# shellcheck source-path=SCRIPTDIR source=../.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../.ci/lib.sh"
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

# wrk, curl and jq; from Debian's apt when missing.
ensure_tools() { apt_install_if_missing wrk curl jq; }

# bench_args USAGE_LINES ARG...: the options of the benchmarks: --quick, --no-build, --label TEXT, -h, and
# --postgres where the usage (lines USAGE_LINES of the script's header, e.g. 2,12) names it. Sets QUICK, BUILD,
# LABEL and POSTGRES.
# shellcheck disable=SC2034 # read by the script
bench_args() {
  local lines=$1
  shift
  usage() { sed -n "${lines}p" "$0" | sed 's/^# \{0,1\}//'; }
  POSTGRES=0 QUICK=0 BUILD=1 LABEL=""
  while (($#)); do
    case $1 in
      --postgres) usage | grep -q -- --postgres || { usage >&2; exit 2; }; POSTGRES=1 ;;
      --quick) QUICK=1 ;;
      --no-build) BUILD=0 ;;
      --label) LABEL=${2:?--label needs a text}; shift ;;
      -h | --help) usage; exit 0 ;;
      *) usage >&2; exit 2 ;;
    esac
    shift
  done
}

# prepare BINARY...: the tools, the release build (unless --no-build), then fails unless each BINARY is there.
prepare() {
  ensure_tools
  ((BUILD)) && build_release
  local bin
  for bin in "$@"; do [[ -x $bin ]] || die "no release binary at $bin (drop --no-build)"; done
}

build_release() {
  log "cargo build --release --locked (authd, then the reference server)"
  # One target dir for both, so the reference shares authd's compiled dependencies.
  (cd "$REPO" && CARGO_TARGET_DIR=$TARGET_DIR cargo build --release --locked)
  CARGO_TARGET_DIR=$TARGET_DIR cargo build --release --locked --manifest-path "$BENCH_DIR/reference/Cargo.toml"
  [[ -x $AUTHD_BIN && -x $REF_BIN ]] || die "release binaries not found under $TARGET_DIR/release"
}

now_ns() { date +%s%N; }

# machine_facts: sets CPU_MODEL, COMMIT (with a note when the tree has uncommitted changes) and BRANCH.
# shellcheck disable=SC2034 # read by the script
machine_facts() {
  CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
  git -C "$REPO" diff --quiet HEAD 2>/dev/null || COMMIT="$COMMIT (+ uncommitted changes)"
  BRANCH=$(git -C "$REPO" rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
}

# append_results SECTION: prints SECTION and appends it to bench/RESULTS.md.
append_results() {
  echo
  echo "$1"
  local results=$BENCH_DIR/RESULTS.md
  # shellcheck disable=SC2016 # literal backquotes (markdown)
  [[ -f $results ]] || printf '# Benchmark results\n\nSections appended by `bench/run.sh` and `bench/flood.sh`; see `bench/README.md`.\n' >"$results"
  printf '\n%s\n' "$1" >>"$results"
  log "appended to bench/RESULTS.md"
}

# cpu_ticks PID: utime + stime of the process (all threads), in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# wait_200 URL TIMEOUT_S: a tight loop until URL answers 200 (the start-up time is measured by it); fails after
# TIMEOUT_S.
wait_200() { WAIT_POLL=0.005 wait_healthy "$1" "$2"; }

# spawn_server VAR_PREFIX LOGFILE CMD...: starts CMD in the background (stopped on exit); sets ${VAR_PREFIX}_PID
# and ${VAR_PREFIX}_T0 (spawn time, ns).
spawn_server() {
  local prefix=$1 logfile=$2
  shift 2
  printf -v "${prefix}_T0" '%s' "$(now_ns)"
  start_bg "${prefix}_PID" "$logfile" "$@"
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
