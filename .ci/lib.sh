# shellcheck shell=bash
# What the scripts under .ci/ and bench/ share (sourced, not run):
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"           (from .ci/)
#   source "$(dirname "${BASH_SOURCE[0]}")/../.ci/lib.sh"    (from bench/lib.sh)
# Sourcing it sets the EXIT trap: whatever a script registers with on_exit, make_workdir or start_bg is undone
# there, last registered first, so a process is stopped before the directory it writes in is removed.
# LIB_NAME (default: the script's name) prefixes the messages of die.

LIB_NAME=${LIB_NAME:-$(basename "$0" .sh)}

step() { printf '\n== %s\n' "$*"; }
log() { printf '== %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$LIB_NAME" "$*" >&2; exit 1; }

# on_exit WORDS...: run WORDS (one command) when the script exits, before what was registered earlier.
_LIB_ON_EXIT=()
on_exit() { _LIB_ON_EXIT+=("$(printf '%q ' "$@")"); }
_lib_exit() {
  local i
  for ((i = ${#_LIB_ON_EXIT[@]} - 1; i >= 0; i--)); do eval "${_LIB_ON_EXIT[i]}" || true; done
}
trap _lib_exit EXIT
trap 'exit 130' INT TERM

# need_binary PATH: PATH made absolute, or exit 2 when it is not an executable (call as bin=$(need_binary ...)).
need_binary() {
  [[ -n ${1:-} && -x $1 ]] || { echo "$LIB_NAME: no executable at ${1:-(none given)} (run cargo build first)" >&2; exit 2; }
  echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
}

# make_workdir VAR NAME: a fresh directory under $TMPDIR in VAR, removed on exit (after the processes started
# afterwards are stopped). Not in $( ): it sets VAR and the cleanup in this shell.
make_workdir() {
  local _lib_dir
  _lib_dir=$(mktemp -d "${TMPDIR:-/tmp}/$2.XXXXXX")
  printf -v "$1" '%s' "$_lib_dir"
  on_exit rm -rf "$_lib_dir"
}

# apt_install_if_missing CMD[=PACKAGE]...: installs, in one apt-get run, the packages of the commands not on PATH
# (the package is the command's name unless given).
apt_install_if_missing() {
  local missing=() item
  for item in "$@"; do command -v "${item%%=*}" >/dev/null || missing+=("${item#*=}"); done
  ((${#missing[@]})) || return 0
  log "installing ${missing[*]} (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# pip_install_if_missing MODULE [DEBIAN_PACKAGE]: pip installs MODULE when Python cannot import it; a
# distribution's own Python may refuse pip (PEP 668), so Debian's package is the fallback when named.
pip_install_if_missing() {
  python3 -c "import $1" 2>/dev/null && return 0
  python3 -m pip install --quiet --disable-pip-version-check "$1" && return 0
  [[ -n ${2:-} ]] && apt-get update -qq && apt-get install -y -qq "$2"
}

# npm_ci DIR: the locked node packages of DIR.
npm_ci() { (cd "$1" && npm ci --no-audit --no-fund --loglevel=error); }

# free_ports N: N distinct free TCP ports on 127.0.0.1, on one line (held at once, so they differ); free_port: one.
free_ports() {
  python3 -c 'import socket, sys
s = [socket.socket() for _ in range(int(sys.argv[1]))]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))' "$1" 2>/dev/null && return
  local ports=() port
  while ((${#ports[@]} < $1)); do
    port=$((20000 + RANDOM % 20000))
    [[ " ${ports[*]} " == *" $port "* ]] || ss -ltn | grep -q ":$port " || ports+=("$port")
  done
  echo "${ports[*]}"
}
free_port() { free_ports 1; }

# wait_healthy URL [TIMEOUT_S] [PID]: polls URL (every $WAIT_POLL s, 0.1) until it answers 200; fails (1) after
# TIMEOUT_S (30) seconds, or at once when PID is given and has exited.
wait_healthy() {
  local url=$1 deadline=$(($(date +%s) + ${2:-30})) pid=${3:-}
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null) == 200 ]]; do
    [[ -z $pid ]] || kill -0 "$pid" 2>/dev/null || return 1
    (($(date +%s) < deadline)) || return 1
    sleep "${WAIT_POLL:-0.1}"
  done
}

# start_bg VAR LOG CMD...: CMD in the background, its output in LOG, its PID in VAR; stopped on exit.
start_bg() {
  local _lib_var=$1 _lib_log=$2
  shift 2
  "$@" >"$_lib_log" 2>&1 &
  printf -v "$_lib_var" '%s' "$!"
  on_exit stop_pid "$!"
}

# in_dir DIR CMD...: CMD run from DIR (for start_bg: authd keeps ./data in its working directory).
in_dir() { cd "$1" && shift && exec "$@"; }

# start_authd VAR LOG BASE_URL CMD...: start_bg, then waits for BASE_URL/healthz; dies with the log's tail when
# authd exits or does not answer within 30 s.
start_authd() {
  local _lib_var=$1 _lib_log=$2 _lib_url=$3
  shift 3
  start_bg "$_lib_var" "$_lib_log" "$@"
  wait_healthy "$_lib_url/healthz" 30 "${!_lib_var}" ||
    { tail -n 30 "$_lib_log" >&2; die "authd did not answer $_lib_url/healthz"; }
}

# stop_pid PID: SIGTERM, then SIGKILL after 5 s; reaps it when it is our child.
stop_pid() {
  local pid=${1:-}
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# status_field PID FIELD: a field of /proc/PID/status, in KiB (VmRSS, VmHWM) or plain (Threads).
status_field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
