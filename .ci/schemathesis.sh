#!/usr/bin/env bash
# CI: schemathesis against a live authd, checking every response (status, content type, headers, body) against
# openapi.yaml, and that the server never answers 5xx. Called by .ci/run after the cargo tests.
#
#   .ci/schemathesis.sh [path/to/authd]        (default: target/debug/authd)
#
# Bounded to about three minutes on two cores (plus a one-time venv install). Any failure exits non-zero; the
# output names each failure with a curl command that reproduces it and the run's seed.
# shellcheck disable=SC2153,SC2154 # make_workdir and start_bg (.ci/lib.sh) set the variables they are named
set -euo pipefail

ST_VERSION=4.32.5
# Seconds of testing. Two schemathesis runs share it side by side, one account each: every operation that keeps
# the caller's session alive, and the two that end it (logout-all, and DELETE /v1/sessions/{id} with the ids
# GET /v1/sessions lists), which would otherwise keep logging the first run out.
SECONDS_BUDGET="${AUTHD_ST_SECONDS:-150}"

repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$repo/.ci/lib.sh"
bin="${1:-target/debug/authd}"
case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac
bin=$(need_binary "$bin")
spec="$repo/openapi.yaml"
tmp="${TMPDIR:-/tmp}"

step "schemathesis $ST_VERSION"
venv="$tmp/authd-schemathesis-$ST_VERSION"
if [ ! -f "$venv/.installed" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION"
  touch "$venv/.installed"
fi
"$venv/bin/schemathesis" --version

step "authd on a free loopback port, fresh data dir, cheap argon2"
make_workdir work authd-st
port=$(free_port)
base="http://127.0.0.1:$port"
# The CORS origin is the `Origin` example of the spec, so generated cookie-mode requests reach the token checks.
# Rate limits are off: every generated request comes from one address, and a 429 would stop the fuzzing of the
# bodies behind it (the limits have their own tests in tests/api/limits/rate_limits.rs). The handler deadline is long:
# this is a debug build on a box shared with the fuzzer, and a deadline 503 would read as a server error.
start_authd pid "$work/authd.log" "$base" in_dir "$work" env \
  AUTHD_BIND="127.0.0.1:$port" \
  AUTHD_DATA_DIR="$work/data" \
  AUTHD_ARGON2_MEMORY_KIB=64 \
  AUTHD_ARGON2_ITERATIONS=1 \
  AUTHD_WORKERS=2 \
  AUTHD_CORS_ORIGINS=https://app.example.com \
  AUTHD_LOG=warn \
  AUTHD_RATE_LIMITS=off \
  AUTHD_HANDLER_TIMEOUT=120s \
  "$bin"
echo "authd: $base (pid $pid)"

# One account per run. Bearer auth is schemathesis's dynamic auth: it logs in for a token and logs in again
# whenever a request gets 401, so a session that the tests end (logout, logout-all, DELETE) costs no coverage.
password="st-$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
for user in main ending; do
  status=$(curl -s -o "$work/signup.json" -w '%{http_code}' -H 'content-type: application/json' \
    -d "{\"email\":\"$user@schemathesis.test\",\"password\":\"$password\"}" "$base/v1/auth/signup")
  [ "$status" = 201 ] || { echo "signup of $user answered $status: $(cat "$work/signup.json")"; exit 1; }
done

config() {
  cat <<EOF
[auth.dynamic.openapi.bearerAuth]
path = "/v1/auth/login"
payload = { email = "$1@schemathesis.test", password = "$password" }
extract_selector = "/access_token"

# positive_data_acceptance expects schema-valid requests to succeed; these rules are beyond what a schema says:
# signup's password policy (zxcvbn) and address check (422), and an address already taken (409);
[[operations]]
include-path = "/v1/auth/signup"
checks.positive_data_acceptance.expected-statuses = ["2xx", "409", "422"]
# refresh/logout need a refresh token in the body OR the cookie (400 with neither), and only tokens that authd
# issued (401) — generated bodies and cookies have neither;
[[operations]]
include-path = ["/v1/auth/refresh", "/v1/auth/logout"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403"]
# a new password must pass the same policy (422), after the current one is right (403 otherwise);
[[operations]]
include-path = "/v1/me/password"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "422"]
# a second factor needs a current code and an mfa_token authd issued (401), exactly one kind of code (400), an
# aal2 session or a code for a step-up (403), and the factor in the right state (409): generated values have none.
[[operations]]
include-path = "/v1/auth/mfa"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401"]
[[operations]]
include-path = ["/v1/me/mfa/totp", "/v1/me/mfa/totp/confirm", "/v1/me/mfa/totp/disable", "/v1/me/mfa/recovery-codes"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "409"]
# the mail routes: an address must be plausible (422); a change of address needs the password (403); a mailed
# token must be one authd sent (400 invalid_token_link), and a reset's new password passes the policy (422).
[[operations]]
include-path = ["/v1/auth/password-reset", "/v1/auth/verify-email/resend"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "422"]
[[operations]]
include-path = "/v1/me/email"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "422"]
[[operations]]
include-path = ["/v1/auth/verify-email", "/v1/auth/password-reset/confirm"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "422"]
# social login: a redirect_uri must be one of AUTHD_REDIRECT_URIS, a state one authd issued, and a login or link
# code one authd issued with its verifier (400 each; an unknown provider 404): generated values are none of these.
[[operations]]
include-path = ["/v1/auth/oauth/{provider}/start", "/v1/auth/oauth/{provider}/callback", "/v1/auth/oauth/exchange", "/v1/me/identities/{provider}/start", "/v1/me/identities/confirm"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404"]
EOF
}
config main >"$work/main.toml"
config ending >"$work/ending.toml"

# One worker per schemathesis process, two processes side by side (two cores): with more than one worker thread,
# Hypothesis's source inspection trips a CPython 3.11 ast thread-safety bug (gh-106905: "SystemError: AST
# constructor recursion depth mismatch") and the run fails for no fault of authd's.
common=(
  --url "$base"
  --checks all
  --workers 1
  --max-examples 50
  --request-timeout 10
  --generation-database none
  --no-color
)
# Started with `&`, so the job's pid is timeout's (exec), which passes a kill on to schemathesis.
run() { # name, seconds, filter...
  local name="$1" seconds="$2"
  shift 2
  cd "$work"
  exec timeout $((seconds + 60)) "$venv/bin/schemathesis" --config-file "$work/$name.toml" run "$spec" \
    "${common[@]}" --max-time "$seconds" "$@" >"$work/$name.out" 2>&1
}

step "schemathesis, ${SECONDS_BUDGET}s: every operation but the two that end the caller's sessions, and beside it those two"
run main "$SECONDS_BUDGET" --exclude-path-regex '^/v1/(auth/logout-all|sessions/)' &
main_pid=$!
on_exit stop_pid "$main_pid"
run ending "$SECONDS_BUDGET" --include-path-regex '^/v1/(auth/logout-all|sessions)' &
ending_pid=$!
on_exit stop_pid "$ending_pid"
failed=0
wait "$main_pid" || failed=1
wait "$ending_pid" || failed=1
for name in main ending; do
  step "schemathesis output: $name"
  cat "$work/$name.out"
done

if ! kill -0 "$pid" 2>/dev/null; then
  echo "authd died during the run"
  failed=1
fi
if [ "$failed" != 0 ]; then
  echo "--- authd log (tail)"
  tail -50 "$work/authd.log"
  echo "schemathesis: FAILED"
  exit 1
fi
echo "schemathesis: ok"
