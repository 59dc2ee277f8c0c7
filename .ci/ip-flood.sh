#!/usr/bin/env bash
# CI: 100,000 logins, each from its own address, keep memory bounded:  bash .ci/ip-flood.sh <path-to-authd-binary>
#
# Starts the binary behind a trusted proxy (AUTHD_TRUSTED_PROXIES=127.0.0.1/32, so X-Forwarded-For is the client)
# with a cheap argon2 cost (the limiter's memory is measured, not argon2's) and the login limit at 2/hour (one
# login back every 30 minutes: none while it runs, even on a slow debug build). One "guesser" address spends its
# budget first (2 × 401, then 429). Then wrk
# (one thread, 32 connections, keep-alive, bench/lua/distinct_ips.lua) sends 100,000 wrong-password logins from
# 100,000 distinct addresses, RSS is read, then 100,000 more from 100,000 other addresses: the per-address stores
# are full (65,536 keys each) after the first phase, so the second adds little (measured: +21 MiB for the first
# 100,000, +2 MiB for the second, release build; unbounded stores would add the same again).
# Fails (exit 1) when: any flood login was answered other than 401; the peak RSS (VmHWM) is above LIMIT_MIB
# (AUTHD_IP_FLOOD_LIMIT_MIB, 100: the measured peak was 64 MiB for a debug build with every store full); the second phase grew RSS by more than GROWTH_MIB
# (AUTHD_IP_FLOOD_GROWTH_MIB, 8); the guesser is no longer refused afterwards (the limiter forgot it), or a new
# address is refused. About 30 s against a release build, 2–3 minutes against a debug one.
set -euo pipefail

BIN=${1:?usage: bash .ci/ip-flood.sh <path-to-authd-binary>}
[[ -x $BIN ]] || { echo "ip-flood: $BIN is not an executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
LIMIT_MIB=${AUTHD_IP_FLOOD_LIMIT_MIB:-100}
GROWTH_MIB=${AUTHD_IP_FLOOD_GROWTH_MIB:-8}
export BENCH_LUA_DIR
BENCH_LUA_DIR=$(cd "$(dirname "$0")/../bench/lua" && pwd)

missing=()
for tool in curl wrk; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/authd-ip-flood.XXXXXX")
pid=""
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)))
url=http://127.0.0.1:$port
field() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$pid/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
fail() { echo "ip-flood: $*" >&2; exit 1; }

env -u AUTHD_DATABASE_URL AUTHD_BIND="127.0.0.1:$port" AUTHD_DATA_DIR="$dir/data" AUTHD_LOG=warn \
  AUTHD_TRUSTED_PROXIES=127.0.0.1/32 AUTHD_RATE_LIMITS=on AUTHD_RATE_LIMIT_LOGIN_IP=2/hour \
  AUTHD_ARGON2_MEMORY_KIB=64 AUTHD_ARGON2_ITERATIONS=1 "$BIN" >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url/healthz") == 200 ]] && break
  kill -0 "$pid" 2>/dev/null || { tail -20 "$dir/log" >&2; fail "authd exited at start-up"; }
  sleep 0.1
done

# login_from ADDRESS N: the status of a wrong-password login for account N, as if from ADDRESS.
login_from() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'content-type: application/json' \
    -H "x-forwarded-for: $1" --data-binary "{\"email\":\"guess$2@example.com\",\"password\":\"wrong password\"}" \
    "$url/v1/auth/login"
}
# One account per attempt: on a single account the per-account backoff would answer before the address limit.
guesser=$(for n in $(seq 3); do login_from 203.0.113.7 "$n"; echo; done | sort | uniq -c | awk '{ printf "%s×%s ", $1, $2 }')
[[ $guesser == "2×401 1×429 " ]] || fail "the guesser's 3 logins were answered $guesser, expected 2×401 1×429"
before_kib=$(field VmRSS)

# flood START COUNT: COUNT logins from COUNT distinct addresses; prints the number answered other than 401.
flood() {
  local out=$dir/wrk.out done=$dir/done wpid line
  rm -f "$done"
  IP_START=$1 IP_COUNT=$2 IP_DONE=$done wrk -t1 -c32 -d600s --timeout 10s -s "$BENCH_LUA_DIR/distinct_ips.lua" \
    "$url" >"$out" 2>&1 &
  wpid=$!
  # wrk stops only at -d or on SIGINT (after which it still prints its figures).
  while [[ ! -e $done ]] && kill -0 "$wpid" 2>/dev/null; do sleep 0.2; done
  kill -INT "$wpid" 2>/dev/null || true
  wait "$wpid" || true
  line=$(grep '^BENCH ' "$out") || { cat "$out" >&2; fail "wrk printed no figures"; }
  echo "ip-flood: $line" >&2
  awk -v want="$2" '{ for (i = 2; i <= NF; i++) { split($i, p, "="); v[p[1]] = p[2] } }
    END { other = v["requests"] - v["s401"]; print (v["s401"] >= want ? other : want - v["s401"] + other) }' <<<"$line"
}
start=$(date +%s)
other=$(flood 0 100000)
((other == 0)) || fail "$other of the first 100,000 logins were not answered 401"
middle_kib=$(field VmRSS)
other=$(flood 1000000 100000)
((other == 0)) || fail "$other of the second 100,000 logins were not answered 401"
after_kib=$(field VmRSS)
peak_kib=$(field VmHWM)
secs=$(($(date +%s) - start))

echo "ip-flood: 2 × 100,000 addresses in ${secs} s; RSS $(mib "$before_kib") MiB before, $(mib "$middle_kib") MiB after" \
  "the first 100,000, $(mib "$after_kib") MiB after the second; peak $(mib "$peak_kib") MiB (limit $LIMIT_MIB MiB)"
[[ $(login_from 203.0.113.7 99) == 429 ]] || fail "the guesser is no longer refused: the limiter forgot it"
[[ $(login_from 198.51.100.1 1) == 401 ]] || fail "a new address is refused"
((peak_kib <= LIMIT_MIB * 1024)) || fail "peak RSS $(mib "$peak_kib") MiB is above $LIMIT_MIB MiB"
growth_kib=$((after_kib - middle_kib))
((growth_kib <= GROWTH_MIB * 1024)) ||
  fail "the second 100,000 addresses grew RSS by $(mib "$growth_kib") MiB (at most $GROWTH_MIB MiB): the stores are not bounded"
echo "ip-flood: ok"
