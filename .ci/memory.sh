#!/usr/bin/env bash
# CI memory guard (process level):  bash .ci/memory.sh <path-to-authd-binary>
#
# Starts the binary on a fresh SQLite store in a temporary directory with the DEFAULT argon2 cost (any
# AUTHD_ARGON2_* in the environment is removed), signs up one user, then sends LOGINS logins (500) from
# CONCURRENCY (50) concurrent clients (curl under xargs -P, the whole burst bounded by `timeout`), and reads the
# peak RSS (VmHWM in /proc/<pid>/status). Fails (exit 1) when the peak RSS is above LIMIT_MIB (300), or when
# fewer than 90% of the logins were answered 200 or 503 (then the load did not really happen).
# Prints idle RSS, peak RSS, threads and the status counts. Overrides: AUTHD_MEMORY_LIMIT_MIB,
# AUTHD_MEMORY_LOGINS, AUTHD_MEMORY_CONCURRENCY.
# shellcheck disable=SC2153,SC2154 # make_workdir and start_bg (.ci/lib.sh) set the variables they are named
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=$(need_binary "${1:?usage: bash .ci/memory.sh <path-to-authd-binary>}")
LIMIT_MIB=${AUTHD_MEMORY_LIMIT_MIB:-300}
LOGINS=${AUTHD_MEMORY_LOGINS:-500}
CONCURRENCY=${AUTHD_MEMORY_CONCURRENCY:-50}
EMAIL=memory-guard@example.com
PASSWORD="correct horse battery staple"

apt_install_if_missing curl jq
make_workdir dir authd-memory
port=$(free_port)
url=http://127.0.0.1:$port
field() { status_field "$pid" "$1"; }

# Rate limits off: the logins all come from one address, and this measures the hashing, not the limiter.
start_authd pid "$dir/log" "$url" env -u AUTHD_ARGON2_MEMORY_KIB -u AUTHD_ARGON2_ITERATIONS \
  -u AUTHD_ARGON2_PARALLELISM -u AUTHD_DATABASE_URL AUTHD_BIND="127.0.0.1:$port" AUTHD_DATA_DIR="$dir/data" \
  AUTHD_RATE_LIMITS=off "$BIN"
sleep 1
idle_kib=$(field VmRSS)
idle_threads=$(field Threads)

body=$(jq -nc --arg e "$EMAIL" --arg p "$PASSWORD" '{email: $e, password: $p}')
export body url
status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H 'content-type: application/json' \
  --data-binary @- "$url/v1/auth/signup" <<<"$body")
[[ $status == 201 ]] || { tail -20 "$dir/log" >&2; echo "memory: signup answered $status, expected 201" >&2; exit 1; }

echo "memory: $LOGINS logins from $CONCURRENCY concurrent clients (default argon2 cost)"
start=$(date +%s%N)
# shellcheck disable=SC2016 # expanded by the inner sh
seq "$LOGINS" | timeout 120 xargs -P "$CONCURRENCY" -I{} sh -c \
  'printf %s "$body" | curl -s -o /dev/null -w "%{http_code}\n" --max-time 60 -H "content-type: application/json" --data-binary @- "$url/v1/auth/login" || true' \
  >"$dir/statuses" &
load=$!
max_threads=$idle_threads
while kill -0 "$load" 2>/dev/null; do
  t=$(field Threads || echo 0)
  ((t > max_threads)) && max_threads=$t
  sleep 0.2
done
wait "$load" || echo "memory: the login burst did not finish within 120 s (timeout)" >&2
secs=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
kill -0 "$pid" 2>/dev/null || { tail -20 "$dir/log" >&2; echo "memory: authd died during the burst" >&2; exit 1; }
peak_kib=$(field VmHWM)
now_kib=$(field VmRSS)
count() { awk -v s="$1" '$1 == s { n++ } END { print n + 0 }' "$dir/statuses"; }
ok200=$(count 200)
s503=$(count 503)
answered=$(awk 'NF { n++ } END { print n + 0 }' "$dir/statuses")
# every other status (000: no answer, e.g. a curl timeout), as "code=count"
other=$(awk '$1 != 200 && $1 != 503 && NF { c[$1]++ } END { for (k in c) printf "%s=%d ", k, c[k] }' "$dir/statuses")
other=${other% }
echo "memory: idle RSS $(mib "$idle_kib") MiB, peak RSS (VmHWM) $(mib "$peak_kib") MiB, RSS after the burst $(mib "$now_kib") MiB"
echo "memory: threads idle $idle_threads, max during the burst $max_threads"
echo "memory: statuses of $LOGINS logins in ${secs}s: 200=$ok200 503=$s503${other:+ other: $other} (answered: $answered)"

fail=0
if ((peak_kib > LIMIT_MIB * 1024)); then
  echo "memory: FAIL: peak RSS $(mib "$peak_kib") MiB is above the limit of $LIMIT_MIB MiB" >&2
  fail=1
fi
if ((ok200 + s503 < LOGINS * 9 / 10)); then
  echo "memory: FAIL: only $((ok200 + s503)) of $LOGINS logins were answered 200 or 503 (need 90%): the load did not happen" >&2
  fail=1
fi
((fail)) && exit 1
echo "memory: ok (peak RSS $(mib "$peak_kib") MiB <= $LIMIT_MIB MiB)"
