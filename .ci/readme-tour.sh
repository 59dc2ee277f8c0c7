#!/usr/bin/env bash
# Runs the README's shell walkthroughs as scripts against a fresh authd, so the README cannot rot. The blocks are
# taken out of README.md itself (the ```bash block after each `<!-- ci: NAME -->` marker); no copy lives here.
#   readme-tour:  the curl tour, top to bottom, every call answered 2xx, from the directory authd runs in (the
#                 mail step reads ./data/outbox)
#   readme-admin: the admin API walkthrough, with the `authd` CLI of the binary under test on PATH
#   spa-run:      examples/spa/README.md's two commands: authd with those settings answers the page's origin, and
#                 the page's server serves it (the browser test, .ci/browser.sh, drives the page itself)
# Also the smoke checks: the binary starts with no settings but its ports, creates ./data, logs no token or hash.
# Usage: .ci/readme-tour.sh [path/to/authd]   (default target/debug/authd; `.ci/run` calls it)
# shellcheck disable=SC2153,SC2154 # make_workdir and start_bg (.ci/lib.sh) set the variables they are named
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
source .ci/lib.sh
authd=$(need_binary "${1:-target/debug/authd}")
apt_install_if_missing jq

# block NAME [FILE]: the fenced block that follows the marker line `<!-- ci: NAME -->` in FILE (README.md).
block() {
  awk -v marker="<!-- ci: $1 -->" '
    $0 == marker { armed = 1; next }
    armed && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }
  ' "${2:-README.md}"
}

make_workdir work authd-readme
fail() { echo "readme-tour: FAIL: $*" >&2; [ -f "$work/log" ] && tail -n 30 "$work/log" >&2; exit 1; }

read -r P_API P_ADMIN P_SPA P_PAGE < <(free_ports 4)
start_authd pid "$work/log" "http://127.0.0.1:$P_API" \
  in_dir "$work" env AUTHD_BIND="127.0.0.1:$P_API" AUTHD_ADMIN_BIND="127.0.0.1:$P_ADMIN" "$authd"

# run NAME BASE_VAR BASE_URL: the block, with its base-URL line pointed at this server. Every curl of it must get
# a 2xx (--fail-with-body), every pipeline must succeed (pipefail), and every jq must read JSON.
run() {
  local name=$1 var=$2 url=$3 script="$work/$1.sh" text
  text=$(block "$name")
  [ -n "$text" ] || fail "README.md has no \`<!-- ci: $name -->\` block"
  grep -q "^$var=http://127.0.0.1:[0-9]*" <<<"$text" || fail "the $name block does not set $var= first"
  {
    echo 'set -euo pipefail'
    echo 'curl() { command curl --fail-with-body --max-time 10 "$@"; }'
    sed "s#^$var=http://127.0.0.1:[0-9]*#$var=$url#" <<<"$text"
  } >"$script"
  echo "== README block: $name"
  (cd "$work" && PATH="$(dirname "$authd"):$PATH" bash "$script") || fail "the README's $name block failed"
}

run readme-tour AUTHD "http://127.0.0.1:$P_API"
run readme-admin ADMIN "http://127.0.0.1:$P_ADMIN"

# The SPA README's commands, with this binary for `cargo run --release` and a free port for the page's server;
# the origin checked is the one the README's page server would have.
spa=$(block spa-run examples/spa/README.md)
settings=$(sed -n 's/ cargo run --release$//p' <<<"$spa")
page_port=$(sed -n 's#^node tests/browser/static-server.mjs \([0-9]*\)$#\1#p' <<<"$spa")
[ -n "$settings" ] && [ -n "$page_port" ] || fail "examples/spa/README.md's spa-run block lost its two commands"
mkdir "$work/spa"
start_bg page_pid /dev/null node tests/browser/static-server.mjs "$P_PAGE"
# shellcheck disable=SC2086 # the README's assignments, one word each
start_authd spa_pid "$work/spa.log" "http://127.0.0.1:$P_SPA" in_dir "$work/spa" env $settings AUTHD_BIND="127.0.0.1:$P_SPA" "$authd"
allowed=$(curl -s -o /dev/null -D - -X OPTIONS "http://127.0.0.1:$P_SPA/v1/auth/login" \
  -H "Origin: http://127.0.0.1:$page_port" -H 'Access-Control-Request-Method: POST' \
  -H 'Access-Control-Request-Headers: content-type' | tr -d '\r' | sed -n 's/^access-control-allow-origin: //Ip')
wait_healthy "http://127.0.0.1:$P_PAGE/verify-email" 5 || true
page=$(curl -fs "http://127.0.0.1:$P_PAGE/verify-email" || true)
stop_pid "$spa_pid"
stop_pid "$page_pid"
[ "$allowed" = "http://127.0.0.1:$page_port" ] || { cat "$work/spa.log" >&2; fail "authd with the SPA README's settings does not answer the page's origin ($allowed)"; }
grep -qi '<html' <<<"$page" || fail "the SPA README's page server does not serve the page"
echo "== examples/spa/README.md: authd with its settings answers the page's origin; the page is served"

[ -f "$work/data/authd.db" ] && [ -f "$work/data/ring.json" ] || fail "no ./data created"
if grep -E 'eyJ[A-Za-z0-9_-]{10,}|\$argon2|authd_admin_[A-Za-z0-9]' "$work/log"; then
  fail "a token, key or hash reached the log"
fi
stop_pid "$pid"
echo "readme-tour: ok"
