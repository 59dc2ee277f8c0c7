#!/usr/bin/env bash
# The flow a script writes against authd with curl and jq: sign up, log in, who am I, refresh, log out.
# Every step checks its HTTP status and stops the script on a surprise.
#   AUTHD_URL=http://127.0.0.1:8080 bash examples/curl.sh
set -euo pipefail

base="${AUTHD_URL:-http://127.0.0.1:8080}"
email="${AUTHD_EMAIL:-curl-$(date +%s)-$RANDOM@example.com}"
password="${AUTHD_PASSWORD:-correct horse battery staple}"
body=$(mktemp)
trap 'rm -f "$body"' EXIT

# call EXPECTED_STATUS METHOD PATH [JSON] [BEARER]: prints the response body, fails on another status.
call() {
  local expected=$1 method=$2 path=$3 json=${4:-} bearer=${5:-} status
  local args=(-sS -o "$body" -w '%{http_code}' -X "$method" "$base$path")
  [ -n "$json" ] && args+=(-H 'content-type: application/json' --data "$json")
  [ -n "$bearer" ] && args+=(-H "authorization: Bearer $bearer")
  status=$(curl "${args[@]}")
  if [ "$status" != "$expected" ]; then
    echo "$method $path: expected $expected, got $status: $(cat "$body")" >&2
    exit 1
  fi
  echo "$method $path -> $status" >&2
  cat "$body"
}

credentials=$(jq -n --arg email "$email" --arg password "$password" '{email: $email, password: $password}')

call 201 POST /v1/auth/signup "$credentials" >/dev/null
tokens=$(call 200 POST /v1/auth/login "$credentials")
access=$(jq -r .access_token <<<"$tokens")
refresh=$(jq -r .refresh_token <<<"$tokens")

me=$(call 200 GET /v1/me "" "$access")
[ "$(jq -r .email <<<"$me")" = "$email" ] || { echo "me shows the wrong account: $me" >&2; exit 1; }

rotated=$(call 200 POST /v1/auth/refresh "$(jq -n --arg t "$refresh" '{refresh_token: $t}')")
call 200 GET /v1/me "" "$(jq -r .access_token <<<"$rotated")" >/dev/null

# The rotated-away token is dead: presenting it again is reuse and ends the session.
reuse=$(call 401 POST /v1/auth/refresh "$(jq -n --arg t "$refresh" '{refresh_token: $t}')")
[ "$(jq -r .reason <<<"$reuse")" = reuse_detected ] || { echo "expected reuse_detected: $reuse" >&2; exit 1; }

# Log out of a fresh session; a second logout is still 204.
tokens=$(call 200 POST /v1/auth/login "$credentials")
refresh=$(jq -r .refresh_token <<<"$tokens")
call 204 POST /v1/auth/logout "$(jq -n --arg t "$refresh" '{refresh_token: $t}')" >/dev/null
call 204 POST /v1/auth/logout "$(jq -n --arg t "$refresh" '{refresh_token: $t}')" >/dev/null
call 401 GET /v1/me "" "$(jq -r .access_token <<<"$tokens")" >/dev/null
echo "curl flow: ok" >&2
