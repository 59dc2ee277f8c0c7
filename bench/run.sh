#!/usr/bin/env bash
# The authd benchmark: one command, see bench/README.md.
#
#   bash bench/run.sh [--postgres] [--quick] [--label TEXT] [--no-build]
#
# Builds the release binaries (authd and the reference server in bench/reference/), starts authd on a fresh
# store (SQLite in a temporary directory, or a fresh PostgreSQL database with --postgres) and the minimal
# actix-web reference server, measures start-up time, idle RSS and one argon2 hash, then runs ROUNDS alternating
# rounds of bounded wrk loads (healthz authd, healthz reference, verify, me, refresh, login) and prints one
# markdown table of the medians with the targets marked met/missed. The same table is appended to
# bench/RESULTS.md. Environment: BENCH_DURATION (default 5s; --quick 2s), BENCH_ROUNDS (3), BENCH_CONNS (32),
# BENCH_RSS_CAP_MIB (4096: a load run stops early above it), AUTHD_LOG (info), CARGO_TARGET_DIR.
# shellcheck disable=SC2153,SC2154 # make_workdir and start_bg (.ci/lib.sh) set the variables they are named
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_args 2,12 "$@"
DUR=${BENCH_DURATION:-$( ((QUICK)) && echo 2s || echo 5s)}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNS:-32}
HASHES=$( ((QUICK)) && echo 5 || echo 9)
export AUTHD_LOG=${AUTHD_LOG:-info}

prepare "$AUTHD_BIN" "$REF_BIN"

make_workdir WORK authd-bench

STORE=SQLite
db_env=()
if ((POSTGRES)); then
  pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL does not answer on 127.0.0.1:5432"
  DB_NAME=authd_bench_$$
  createdb -h 127.0.0.1 -U postgres "$DB_NAME"
  drop_db() { dropdb -h 127.0.0.1 -U postgres --if-exists "$DB_NAME" 2>/dev/null; }
  # Registered before authd starts, so it runs after authd is stopped.
  on_exit drop_db
  db_env=("AUTHD_DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB_NAME")
  STORE="PostgreSQL $(psql -h 127.0.0.1 -U postgres -Atc 'show server_version' | cut -d' ' -f1)"
fi

A_PORT=$(free_port)
R_PORT=$(free_port)
A=http://127.0.0.1:$A_PORT
R=http://127.0.0.1:$R_PORT

log "starting authd ($STORE, $NCPU workers, AUTHD_LOG=$AUTHD_LOG) on $A"
spawn_server AUTHD "$WORK/authd.log" env AUTHD_BIND="127.0.0.1:$A_PORT" AUTHD_DATA_DIR="$WORK/data" \
  AUTHD_WORKERS="$NCPU" AUTHD_RATE_LIMITS=off "${db_env[@]}" "$AUTHD_BIN"
wait_200 "$A/healthz" 60 || { tail -20 "$WORK/authd.log" >&2; die "authd did not answer /healthz"; }
STARTUP_MS=$(( ($(now_ns) - AUTHD_T0) / 1000000 ))
[[ $(cat "/proc/$AUTHD_PID/comm" 2>/dev/null) == authd ]] || die "authd is not the process that answers (pid $AUTHD_PID)"
sleep 1
IDLE_KIB=$(status_field "$AUTHD_PID" VmRSS)
IDLE_THREADS=$(status_field "$AUTHD_PID" Threads)

log "starting the reference server on $R"
spawn_server REF "$WORK/reference.log" env REF_BIND="127.0.0.1:$R_PORT" REF_WORKERS="$NCPU" "$REF_BIN"
wait_200 "$R/healthz" 30 || die "the reference server did not answer /healthz"

log "signing up the bench user; logging in for an access token"
LOGIN_BODY=$(jq -nc --arg e "$BENCH_EMAIL" --arg p "$BENCH_PASSWORD" '{email: $e, password: $p}')
export LOGIN_BODY
json_post "$A/v1/auth/signup" "$LOGIN_BODY" >/dev/null
ACCESS=$(json_post "$A/v1/auth/login" "$LOGIN_BODY" | jq -r .access_token)
[[ $ACCESS == ey* ]] || die "login gave no access token"

# Refresh tokens for the refresh scenario: one login (one session) per token, done before the load. Each round
# gives back its unused tokens; this tops the pool up to POOL tokens (at least 4 per connection).
POOL=$((CONNS * 4))
TOKENS=$WORK/refresh-tokens
: >"$TOKENS"
chmod 600 "$TOKENS"
seed_tokens() {
  local attempt short
  for attempt in 1 2 3; do
    short=$((POOL - $(grep -c . "$TOKENS" || true)))
    ((short > 0)) || return 0
    ((attempt == 1)) || sleep 1 # a login answered 503 (hash queue full) gave no token: try again
    # shellcheck disable=SC2016 # expanded by the inner sh
    seq "$short" | xargs -P "$((NCPU * 2))" -I{} sh -c \
      'printf %s "$LOGIN_BODY" | curl -sS --max-time 60 -H "content-type: application/json" --data-binary @- "$0" | jq -r ".refresh_token // empty"' \
      "$A/v1/auth/login" >>"$TOKENS"
  done
  (($(grep -c . "$TOKENS") >= CONNS)) || die "could not seed refresh tokens"
}
log "seeding $POOL sessions for the refresh scenario"
seed_tokens

RES=$WORK/results
HASHES_FILE=$WORK/hashes
: >"$RES"
: >"$HASHES_FILE"
record() { # SCENARIO ROUND RESULT-LINE
  [[ -n $3 ]] || die "no result for $1 (round $2)"
  echo "$1 $2 $3" >>"$RES"
  read -r _ rps p50 p99 cpu bad s503 _ <<<"$3"
  printf '   %-16s round %d: %8.0f req/s  p50 %6.2f ms  p99 %7.2f ms  %7.1f CPU µs/req  non-2xx %d (503: %d)%s\n' \
    "$1" "$2" "$rps" "$(awk -v u="$p50" 'BEGIN{print u/1000}')" "$(awk -v u="$p99" 'BEGIN{print u/1000}')" \
    "$cpu" "$bad" "$s503" "$( [[ $3 == *pool_empty=0* || $3 != *pool_empty* ]] || echo '  (refresh pool ran dry)')" >&2
}
for round in $(seq "$ROUNDS"); do
  log "round $round/$ROUNDS: wrk -t1 -c$CONNS -d$DUR per scenario"
  record healthz "$round" "$(run_wrk static.lua "$A/healthz" "$CONNS" "$DUR" "$AUTHD_PID")"
  record reference "$round" "$(run_wrk static.lua "$R/healthz" "$CONNS" "$DUR" "$REF_PID")"
  record verify "$round" "$(run_wrk static.lua "$A/v1/auth/verify" "$CONNS" "$DUR" "$AUTHD_PID" \
    BENCH_ACCESS_TOKEN="$ACCESS")"
  record me "$round" "$(run_wrk static.lua "$A/v1/me" "$CONNS" "$DUR" "$AUTHD_PID" BENCH_ACCESS_TOKEN="$ACCESS")"
  seed_tokens
  record refresh "$round" "$(run_wrk refresh.lua "$A" "$CONNS" "$DUR" "$AUTHD_PID" BENCH_TOKENS="$TOKENS" \
    BENCH_TOKENS_OUT="$TOKENS.next")"
  mv "$TOKENS.next" "$TOKENS"
  record login "$round" "$(run_wrk login.lua "$A" "$CONNS" "$DUR" "$AUTHD_PID" BENCH_EMAIL="$BENCH_EMAIL" \
    BENCH_PASSWORD="$BENCH_PASSWORD")"
  # One argon2 hash's time, measured in every round right after the login load (the box's speed drifts), so
  # that the login target compares figures taken seconds apart.
  wait_idle "$AUTHD_PID"
  hash_ms=$("$REF_BIN" argon2 "$HASHES" | sed -n 's/.*median=\([0-9.]*\).*/\1/p')
  echo "hash $round $hash_ms" >>"$HASHES_FILE"
  printf '   %-16s round %d: %.2f ms (median of %d, one thread, server idle)\n' argon2 "$round" "$hash_ms" "$HASHES" >&2
done
PEAK_KIB=$(status_field "$AUTHD_PID" VmHWM)
MAX_THREADS=$(awk '$1 != "reference" && $10 > m { m = $10 } END { print m + 0 }' "$RES")
ABORTED=$(awk '$12 == 1 { printf "%s%s(round %s)", sep, $1, $2; sep = ", " }' "$RES")
if grep -qE ' ERROR |panicked' "$WORK/authd.log"; then
  log "authd logged errors or panics during the run (first lines):"
  grep -E ' ERROR |panicked' "$WORK/authd.log" | head -5 >&2
fi

# ---- the table: medians over the rounds; ratios are medians of per-round ratios (same round, same run) ----
median_of() { sort -g | awk '{ a[NR] = $1 } END { if (!NR) print 0; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
med() { awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$RES" | median_of; }
ratio() { awk -v a="$1" -v b="$2" '$1 == a { x[$2] = $4 } $1 == b { y[$2] = $4 } END { for (r in x) if (y[r] > 0) print x[r] / y[r] }' "$RES" | median_of; }
sum() { awk -v s="$1" -v c="$2" '$1 == s { t += $c } END { print t + 0 }' "$RES"; }
fmt_ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
verdict() { awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN { ok = (op == ">=") ? (v >= g) : (v < g); print ok ? "**met**" : "**missed**" }'; }

R_HEALTHZ=$(ratio healthz reference)
R_VERIFY=$(ratio verify healthz)
R_ME=$(ratio me healthz)
REFRESH_PER_CORE=$(awk -v r="$(med refresh 4)" -v n="$NCPU" 'BEGIN { print r / n }')
HASH_MS=$(awk '{ print $3 }' "$HASHES_FILE" | median_of)
LOGIN_CAP=$(awk -v n="$NCPU" -v h="$HASH_MS" 'BEGIN { print n / (h / 1000) }')
# per round: login req/s ÷ (cores ÷ that round's hash time), then the median
R_LOGIN=$(awk -v n="$NCPU" 'FNR == NR { h[$2] = $3; next } $1 == "login" && h[$2] > 0 { print $4 / (n / (h[$2] / 1000)) }' \
  "$HASHES_FILE" "$RES" | median_of)
PEAK_MIB=$(mib "$PEAK_KIB")
IDLE_MIB=$(mib "$IDLE_KIB")

row() { # SCENARIO LABEL TARGET-TEXT VERDICT
  local s=$1
  printf '| %s | %.0f | %s | %s | %.1f | %s / %s | %s | %s |\n' "$2" "$(med "$s" 4)" "$(fmt_ms "$(med "$s" 5)")" \
    "$(fmt_ms "$(med "$s" 6)")" "$(med "$s" 7)" "$(sum "$s" 8)" "$(sum "$s" 9)" "$3" "$4"
}
pct() { awk -v x="$1" 'BEGIN { printf "%.2f×", x }'; }
me_note=""
((POSTGRES)) && me_note=" (target set for SQLite)"
TABLE=$(
  echo "| scenario | req/s | p50 ms | p99 ms | server CPU µs/req | non-2xx / of which 503 | target: measured | result |"
  echo "|---|---:|---:|---:|---:|---:|---|---|"
  row healthz "GET /healthz (authd)" "≥ 0.8× reference: $(pct "$R_HEALTHZ")" "$(verdict "$R_HEALTHZ" '>=' 0.8)"
  row reference "GET /healthz (reference)" "physical limit (bare actix-web)" "—"
  row verify "GET /v1/auth/verify" "≥ 0.9× authd healthz: $(pct "$R_VERIFY")" "$(verdict "$R_VERIFY" '>=' 0.9)"
  row me "GET /v1/me" "≥ 0.6× authd healthz$me_note: $(pct "$R_ME")" "$(verdict "$R_ME" '>=' 0.6)"
  row refresh "POST /v1/auth/refresh" "≥ 1500/s per core: $(printf '%.0f' "$REFRESH_PER_CORE")/s per core" \
    "$(verdict "$REFRESH_PER_CORE" '>=' 1500)"
  row login "POST /v1/auth/login" \
    "≥ 0.9× (cores ÷ hash ≈ $(printf '%.0f' "$LOGIN_CAP")/s): $(pct "$R_LOGIN")" "$(verdict "$R_LOGIN" '>=' 0.9)"
  echo "| one argon2 hash (m=19456, t=2, p=1) | | $HASH_MS | | | | one thread, idle server; median of $ROUNDS rounds × $HASHES | — |"
  echo "| idle RSS (after start, before load) | | | | | | < 20 MiB: $IDLE_MIB MiB | $(verdict "$IDLE_MIB" '<' 20) |"
  echo "| peak RSS (VmHWM, whole run) | | | | | | < 150 MiB: $PEAK_MIB MiB | $(verdict "$PEAK_MIB" '<' 150) |"
  echo "| threads (idle / max during load) | | | | | | $IDLE_THREADS / $MAX_THREADS | — |"
  echo "| start-up: spawn → first 200 of /healthz | | $STARTUP_MS | | | | fresh store (keys, migrations) | — |"
)

machine_facts
MODE=$( ((QUICK)) && echo quick || echo full)
SECTION=$(
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC') · run.sh · $STORE · $MODE${LABEL:+ · $LABEL}"
  echo
  echo "- commit $COMMIT (branch $BRANCH); CPU: $CPU_MODEL, $NCPU cores (shared by wrk and the servers)"
  echo "- wrk -t1 -c$CONNS -d$DUR pinned to CPU $((NCPU - 1)); servers unpinned with $NCPU workers each;" \
    "$ROUNDS alternating rounds, medians (ratios: median of per-round ratios); AUTHD_LOG=$AUTHD_LOG, AUTHD_RATE_LIMITS=off"
  [[ -n $ABORTED ]] && echo "- **stopped early at the RSS cap (${BENCH_RSS_CAP_MIB} MiB)**: $ABORTED"
  echo
  echo "$TABLE"
)
append_results "$SECTION"
