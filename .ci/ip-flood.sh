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
# shellcheck disable=SC2153,SC2154 # make_workdir and start_bg (.ci/lib.sh) set the variables they are named
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(need_binary "${1:?usage: bash .ci/ip-flood.sh <path-to-authd-binary>}")
LIMIT_MIB=${AUTHD_IP_FLOOD_LIMIT_MIB:-100}
GROWTH_MIB=${AUTHD_IP_FLOOD_GROWTH_MIB:-8}
export BENCH_LUA_DIR
BENCH_LUA_DIR=$(cd "$(dirname "$0")/../bench/lua" && pwd)

apt_install_if_missing curl wrk
make_workdir dir authd-ip-flood
port=$(free_port)
url=http://127.0.0.1:$port
field() { status_field "$pid" "$1"; }

start_authd pid "$dir/log" "$url" env -u AUTHD_DATABASE_URL AUTHD_BIND="127.0.0.1:$port" \
  AUTHD_DATA_DIR="$dir/data" AUTHD_LOG=warn AUTHD_TRUSTED_PROXIES=127.0.0.1/32 AUTHD_RATE_LIMITS=on \
  AUTHD_RATE_LIMIT_LOGIN_IP=2/hour AUTHD_ARGON2_MEMORY_KIB=64 AUTHD_ARGON2_ITERATIONS=1 "$BIN"

# login_from ADDRESS N: the status of a wrong-password login for account N, as if from ADDRESS.
login_from() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'content-type: application/json' \
    -H "x-forwarded-for: $1" --data-binary "{\"email\":\"guess$2@example.com\",\"password\":\"wrong password\"}" \
    "$url/v1/auth/login"
}
# One account per attempt: on a single account the per-account backoff would answer before the address limit.
guesser=$(for n in $(seq 3); do login_from 203.0.113.7 "$n"; echo; done | sort | uniq -c | awk '{ printf "%s×%s ", $1, $2 }')
[[ $guesser == "2×401 1×429 " ]] || die "the guesser's 3 logins were answered $guesser, expected 2×401 1×429"
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
  line=$(grep '^BENCH ' "$out") || { cat "$out" >&2; die "wrk printed no figures"; }
  echo "ip-flood: $line" >&2
  awk -v want="$2" '{ for (i = 2; i <= NF; i++) { split($i, p, "="); v[p[1]] = p[2] } }
    END { other = v["requests"] - v["s401"]; print (v["s401"] >= want ? other : want - v["s401"] + other) }' <<<"$line"
}
start=$(date +%s)
other=$(flood 0 100000)
((other == 0)) || die "$other of the first 100,000 logins were not answered 401"
middle_kib=$(field VmRSS)
other=$(flood 1000000 100000)
((other == 0)) || die "$other of the second 100,000 logins were not answered 401"
after_kib=$(field VmRSS)
peak_kib=$(field VmHWM)
secs=$(($(date +%s) - start))

echo "ip-flood: 2 × 100,000 addresses in ${secs} s; RSS $(mib "$before_kib") MiB before, $(mib "$middle_kib") MiB after" \
  "the first 100,000, $(mib "$after_kib") MiB after the second; peak $(mib "$peak_kib") MiB (limit $LIMIT_MIB MiB)"
[[ $(login_from 203.0.113.7 99) == 429 ]] || die "the guesser is no longer refused: the limiter forgot it"
[[ $(login_from 198.51.100.1 1) == 401 ]] || die "a new address is refused"
((peak_kib <= LIMIT_MIB * 1024)) || die "peak RSS $(mib "$peak_kib") MiB is above $LIMIT_MIB MiB"
growth_kib=$((after_kib - middle_kib))
((growth_kib <= GROWTH_MIB * 1024)) ||
  die "the second 100,000 addresses grew RSS by $(mib "$growth_kib") MiB (at most $GROWTH_MIB MiB): the stores are not bounded"
echo "ip-flood: ok"
