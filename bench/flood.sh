#!/usr/bin/env bash
# Login flood: bash bench/flood.sh [--quick] [--label TEXT] [--no-build]
#
# 200 concurrent clients post WRONG passwords to an existing account for 20 s (--quick: 5 s) while two paced
# probes (one connection each, a request every 10 ms) measure GET /healthz and GET /v1/auth/verify latency.
# Runs twice on a fresh SQLite store: with the service's defaults, then with AUTHD_RATE_LIMITS=off. Reports
# the flood's status counts, the probes' p50/p99, peak RSS and threads; prints one markdown table and appends
# it to bench/RESULTS.md. Targets: healthz and verify p99 < 20 ms, peak RSS < 150 MiB, no 5xx other than 503,
# and with the defaults (limits on) at most 1 % of the flood reaches argon2 (authd_password_hashes_total on the
# /metrics listener, read before and after the flood).
# Environment: FLOOD_CLIENTS (200), FLOOD_DURATION (20s; --quick 5s), BENCH_RSS_CAP_MIB (4096: the flood stops
# early above it, the box is shared), CARGO_TARGET_DIR.
# shellcheck disable=SC2153,SC2154 # make_workdir and start_bg (.ci/lib.sh) set the variables they are named
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_args 2,10 "$@"
DUR=${FLOOD_DURATION:-$( ((QUICK)) && echo 5s || echo 20s)}
CLIENTS=${FLOOD_CLIENTS:-200}

prepare "$AUTHD_BIN"

make_workdir WORK authd-flood

# sum_kv LINE REGEX: the sum of the values of the KEY=VALUE fields of LINE whose key matches REGEX (0 if none).
sum_kv() { awk -v re="$2" '{ for (i = 1; i <= NF; i++) if (split($i, p, "=") == 2 && p[1] ~ re) t += p[2] } END { print t + 0 }' <<<"$1"; }
kv() { sum_kv "$1" "^$2\$"; }
fmt_ms() { awk -v u="${1:-0}" 'BEGIN { printf "%.2f", u / 1000 }'; }
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v < g) ? "**met**" : "**missed**" }'; }

# hashes_done METRICS_URL: authd_password_hashes_total, the argon2 hashes and verifies computed so far.
hashes_done() { curl -s --max-time 5 "$1" | awk '$1 == "authd_password_hashes_total" { printf "%d", $2; f = 1 } END { if (!f) print 0 }'; }

ROWS=()
flood() { # NAME [VAR=VALUE...]: one flood against a fresh server started with the extra environment
  local name=$1
  shift
  local dir=$WORK/$name port url metrics_port metrics
  mkdir -p "$dir"
  port=$(free_port)
  url=http://127.0.0.1:$port
  metrics_port=$(free_port)
  metrics=http://127.0.0.1:$metrics_port/metrics
  log "flood ($name): starting authd on $url"
  # The metrics listener is the one setting added to the defaults: it counts the hashes (own port, no cost).
  spawn_server AUTHD "$dir/authd.log" env AUTHD_BIND="127.0.0.1:$port" AUTHD_DATA_DIR="$dir/data" \
    AUTHD_METRICS_BIND="127.0.0.1:$metrics_port" "$@" "$AUTHD_BIN"
  wait_200 "$url/healthz" 60 || { tail -20 "$dir/authd.log" >&2; die "authd did not answer /healthz"; }
  sleep 1
  local idle_kib access body
  idle_kib=$(status_field "$AUTHD_PID" VmRSS)
  body=$(jq -nc --arg e "$BENCH_EMAIL" --arg p "$BENCH_PASSWORD" '{email: $e, password: $p}')
  json_post "$url/v1/auth/signup" "$body" >/dev/null
  access=$(json_post "$url/v1/auth/login" "$body" | jq -r .access_token)
  local hashes0
  hashes0=$(hashes_done "$metrics")

  log "flood ($name): $CLIENTS clients x wrong password for $DUR, probes on /healthz and /v1/auth/verify"
  PROBES=()
  BENCH_DELAY_MS=10 wrk -t1 -c1 -d"$DUR" --timeout 10s -s "$BENCH_LUA_DIR/probe.lua" "$url/healthz" \
    >"$dir/probe-healthz" 2>&1 &
  PROBES+=($!)
  on_exit stop_pid "$!"
  BENCH_DELAY_MS=10 BENCH_ACCESS_TOKEN=$access wrk -t1 -c1 -d"$DUR" --timeout 10s -s "$BENCH_LUA_DIR/probe.lua" \
    "$url/v1/auth/verify" >"$dir/probe-verify" 2>&1 &
  PROBES+=($!)
  on_exit stop_pid "$!"
  local res
  res=$(run_wrk login.lua "$url" "$CLIENTS" "$DUR" "$AUTHD_PID" BENCH_EMAIL="$BENCH_EMAIL" \
    BENCH_PASSWORD="wrong horse battery staple")
  local p
  # If the flood was stopped early at the RSS cap, stop the probes too (SIGINT: they still report).
  for p in "${PROBES[@]}"; do
    [[ $(awk '{ print $10 }' <<<"$res") == 1 ]] && kill -INT "$p" 2>/dev/null
    wait "$p" || true
  done
  PROBES=()
  local peak_kib threads hz vz
  peak_kib=$(status_field "$AUTHD_PID" VmHWM)
  # Once idle: a hash still running when the flood ended is counted too.
  wait_idle "$AUTHD_PID"
  local hashed
  hashed=$(($(hashes_done "$metrics") - hashes0))
  threads=$(awk '{ print $8 }' <<<"$res")
  hz=$(grep '^BENCH ' "$dir/probe-healthz" || echo "BENCH")
  vz=$(grep '^BENCH ' "$dir/probe-verify" || echo "BENCH")
  stop_pid "$AUTHD_PID"

  local rps s200 s401 s429 s503 s5xx other noanswer dur_s hp50 hp99 vp50 vp99 hbad vbad
  read -r _ _ _ _ _ _ _ _ _ aborted _ <<<"$res"
  rps=$(sed -n 's/.*rps_all=\([0-9.]*\).*/\1/p' <<<"$res")
  s200=$(kv "$res" s200) s401=$(kv "$res" s401) s429=$(kv "$res" s429) s503=$(kv "$res" s503)
  s5xx=$(($(sum_kv "$res" '^s5[0-9][0-9]$') - s503))
  # any other status; and requests that got no answer at all (wrk's 10 s timeout, socket errors)
  other=$(($(sum_kv "$res" '^s[0-9]+$') - s200 - s401 - s429 - s503 - s5xx))
  noanswer=$(($(kv "$res" sockerr) + $(kv "$res" timeouts)))
  dur_s=$(sed -n 's/.*dur_s=\([0-9.]*\).*/\1/p' <<<"$res")
  hp50=$(kv "$hz" p50_us) hp99=$(kv "$hz" p99_us) vp50=$(kv "$vz" p50_us) vp99=$(kv "$vz" p99_us)
  hbad=$(($(kv "$hz" requests) - $(kv "$hz" s200)))
  vbad=$(($(kv "$vz" requests) - $(kv "$vz" s200)))
  local peak_mib requests share argon2
  peak_mib=$(mib "$peak_kib")
  requests=$(sum_kv "$res" '^s[0-9]+$')
  share=$(awk -v h="$hashed" -v n="$requests" 'BEGIN { printf "%.2f", (n > 0 ? 100 * h / n : 0) }')
  if [[ $name == defaults ]]; then
    argon2="$hashed of $requests = $share %: $(verdict "$share" 1.000001)"
  else
    argon2="$hashed of $requests = $share % (limits off: no target)"
  fi
  ROWS+=("$(printf '| %s | %.0f | %s / %s / %s / %s / %s / %s | %s | %s | %s / %s ms%s: %s | %s / %s ms%s: %s | %s MiB → %s MiB: %s | %s | %s |' \
    "$name" "$rps" "$s200" "$s401" "$s429" "$s503" "$s5xx" "$other" "$noanswer" "$argon2" \
    "$(fmt_ms "$hp50")" "$(fmt_ms "$hp99")" "$( ((hbad)) && echo " ($hbad not 200)")" "$(verdict "$(fmt_ms "$hp99")" 20)" \
    "$(fmt_ms "$vp50")" "$(fmt_ms "$vp99")" "$( ((vbad)) && echo " ($vbad not 200)")" "$(verdict "$(fmt_ms "$vp99")" 20)" \
    "$(mib "$idle_kib")" "$peak_mib" "$(verdict "$peak_mib" 150)" "$threads" \
    "$( ((s5xx)) && echo "**missed**" || echo "**met**")$( ((aborted)) && echo " (flood stopped after ${dur_s} s at the ${BENCH_RSS_CAP_MIB} MiB RSS cap)")")")
}

flood defaults
flood rate-limits-off AUTHD_RATE_LIMITS=off

machine_facts
SECTION=$(
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC') · flood.sh · SQLite · $( ((QUICK)) && echo quick || echo full)${LABEL:+ · $LABEL}"
  echo
  echo "- commit $COMMIT (branch $BRANCH); CPU: $CPU_MODEL, $NCPU cores (shared by wrk and the server)"
  echo "- flood: wrk -t1 -c$CLIENTS -d$DUR, wrong password for an existing account, pinned to CPU $((NCPU - 1));" \
    "probes: wrk -c1 with a 10 ms pause between requests; default settings (AUTHD_LOG=info)"
  echo
  echo "| server settings | flood req/s | flood 200 / 401 / 429 / 503 / other 5xx / other | no answer in 10 s | reached argon2 (limits on: ≤ 1 %) | healthz p50 / p99 (< 20 ms) | verify p50 / p99 (< 20 ms) | RSS idle → peak (< 150 MiB) | max threads | no 5xx but 503 |"
  echo "|---|---:|---|---:|---|---|---|---|---:|---|"
  printf '%s\n' "${ROWS[@]}"
)
append_results "$SECTION"
