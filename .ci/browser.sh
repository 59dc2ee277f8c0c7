#!/usr/bin/env bash
# Browser test: examples/spa in Debian's Chromium (headless, via playwright-core) against a real authd, in bearer
# and cookie mode: sessions and refresh (tests/browser/spa.test.mjs), then TOTP enrolment and login, email
# verification and password reset through the mailed links (tests/browser/mfa-mail.test.mjs), social login through
# a real OpenID provider, tests/oidc/provider.mjs (tests/browser/social.test.mjs). Never skips: no Chromium, no npm
# or no authd is a failure.
# Usage: .ci/browser.sh [path/to/authd]   (default target/debug/authd; build it first)
# shellcheck disable=SC2153,SC2154 # make_workdir and start_bg (.ci/lib.sh) set the variables they are named
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$repo/target/debug/authd}")
cd "$repo"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source .ci/lib.sh
bin=$(need_binary "$bin")

apt_install_if_missing chromium
echo "== npm ci (tests/browser)"
npm_ci tests/browser
echo "== npm ci (tests/oidc)"
npm_ci tests/oidc

make_workdir work authd-browser
# Two distinct free loopback ports: authd, and the SPA's own origin.
read -r authd_port spa_port < <(free_ports 2)
authd_url="http://127.0.0.1:$authd_port"
spa_origin="http://127.0.0.1:$spa_port"
access_ttl=2

# The test OpenID provider, `testidp` to authd, on its own free port (it prints its issuer first). Its one client
# accepts authd's callback for it. The SPA URLs the test opens (one per mode) are the app redirect URIs: the page's
# returnUri() is its own URL without the `code`/`error` authd adds, and authd wants an exact match.
idp_name=testidp
idp_client_secret=authd-test-secret
AUTHD_CALLBACK="$authd_url/v1/auth/oauth/$idp_name/callback" node tests/oidc/provider.mjs >"$work/idp.out" 2>"$work/idp.log" &
idp_pid=$!
on_exit stop_pid "$idp_pid"
for _ in $(seq 50); do
  [ -s "$work/idp.out" ] && break
  kill -0 "$idp_pid" 2>/dev/null || break
  sleep 0.2
done
idp_issuer=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]).issuer)' "$work/idp.out") ||
  { echo "the test OpenID provider did not start:" >&2; cat "$work/idp.log" >&2; exit 1; }
authd_q=$(node -e 'console.log(encodeURIComponent(process.argv[1]))' "$authd_url")
redirect_uris="$spa_origin/?authd=$authd_q&mode=bearer,$spa_origin/?authd=$authd_q&mode=cookie"

# Mailed links (verification, password reset) point at the SPA's origin and land in an outbox the test reads.
# The rate limits the test's many logins and MFA calls from one address would trip are raised; the rest keep
# their defaults.
# One authd for both modes (cookie delivery is chosen per request). The cookie keeps its production default,
# Secure: Chromium stores and sends Secure cookies for http://127.0.0.1, a potentially trustworthy origin.
echo "== authd on $authd_url, SPA origin $spa_origin, OpenID provider $idp_issuer"
start_authd pid "$work/authd.log" "$authd_url" env \
AUTHD_BIND="127.0.0.1:$authd_port" \
AUTHD_ISSUER="$authd_url" \
AUTHD_DATA_DIR="$work/data" \
AUTHD_CORS_ORIGINS="$spa_origin" \
AUTHD_APP_URL="$spa_origin" \
AUTHD_MAIL_OUTBOX="$work/outbox" \
AUTHD_MAIL_COOLDOWN=0 \
AUTHD_RATE_LIMIT_LOGIN_IP=200/min \
AUTHD_RATE_LIMIT_MFA_IP=100/min \
AUTHD_RATE_LIMIT_MFA_MANAGE_IP=300/min \
AUTHD_ACCESS_TTL="$access_ttl" \
AUTHD_CLOCK_LEEWAY=0 \
AUTHD_ARGON2_MEMORY_KIB=64 \
AUTHD_ARGON2_ITERATIONS=1 \
AUTHD_LOG=warn \
AUTHD_OIDC_PROVIDERS="$idp_name" \
AUTHD_OIDC_TESTIDP_ISSUER="$idp_issuer" \
AUTHD_OIDC_TESTIDP_CLIENT_ID=authd \
AUTHD_OIDC_TESTIDP_CLIENT_SECRET="$idp_client_secret" \
AUTHD_REDIRECT_URIS="$redirect_uris" \
  "$bin"

echo "== browser test"
status=0
(cd tests/browser && AUTHD_URL="$authd_url" SPA_PORT="$spa_port" AUTHD_ACCESS_TTL="$access_ttl" AUTHD_MAIL_OUTBOX="$work/outbox" \
  IDP_NAME="$idp_name" IDP_ISSUER="$idp_issuer" npm test --silent) ||
  status=$?
if [ "$status" != 0 ]; then
  echo "== authd log (last 50 lines)" >&2
  tail -n 50 "$work/authd.log" >&2
  echo "== OpenID provider log (last 20 lines)" >&2
  tail -n 20 "$work/idp.log" >&2
  exit "$status"
fi
echo "screenshots: $repo/target/browser-test/"
