#!/usr/bin/env bash
# Real downstream clients against a real authd: the Express example (jose + JWKS), nginx with auth_request, and
# the Rust example (jsonwebtoken + a JWKS fetched over https). A valid token must pass all three; a forged, expired,
# wrong-audience, unsigned or refresh token must be refused by all three, nginx's 401 passing on authd's reason; a
# key rotation must log nobody out. nginx runs exactly as examples/nginx/nginx.conf's comment says, unprivileged.
# Usage: .ci/real-clients.sh [path/to/authd]   (default target/debug/authd; `.ci/run` calls it after the tests)
# shellcheck disable=SC2153,SC2154 # make_workdir and start_bg (.ci/lib.sh) set the variables they are named
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
source .ci/lib.sh
authd=$(need_binary "${1:-target/debug/authd}")
verify_rs="$(dirname "$authd")/examples/verify_downstream"
export PATH="$PATH:/usr/sbin:/sbin"

fail() { echo "real-clients: FAIL: $*" >&2; dump_logs; exit 1; }

step "real clients: installing what is missing"
[ -x "$verify_rs" ] || cargo build --quiet --example verify_downstream
apt_install_if_missing nginx
command -v nginx >/dev/null || fail "nginx could not be installed"
npm_ci examples/express

make_workdir work authd-real-clients
dump_logs() { for f in "$work"/*.log "$work"/nginx/error.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done; }
trap 'dump_logs' ERR

read -r P_AUTHD P_EXPRESS P_NGINX P_ECHO P_ADMIN P_TLS < <(free_ports 6)
ISSUER="http://127.0.0.1:$P_AUTHD"
AUDIENCE=authd-ci
export AUTHD_DATA_DIR="$work/data" AUTHD_BIND="127.0.0.1:$P_AUTHD" AUTHD_ADMIN_BIND="127.0.0.1:$P_ADMIN" AUTHD_ISSUER="$ISSUER" AUTHD_AUDIENCE="$AUDIENCE"
export AUTHD_ARGON2_MEMORY_KIB=64 AUTHD_ARGON2_ITERATIONS=1 AUTHD_LOG=info

step "real clients: starting authd, the Express example and nginx"
start_authd authd_pid "$work/authd.log" "$ISSUER" "$authd"
# Publish the next key before any verifier fetches the JWKS, as the README's rotation procedure asks. It is an
# ES256 key, so the rotation also switches algorithm under the verifiers' feet.
"$authd" keys generate --kind access --alg ES256 >/dev/null
start_bg express_pid "$work/express.log" \
  in_dir examples/express env PORT="$P_EXPRESS" AUTHD_ISSUER="$ISSUER" AUTHD_AUDIENCE="$AUDIENCE" node server.js
# The example's own instructions: an empty scratch directory as the prefix, as an unprivileged user (nobody, when
# CI runs as root), so the temp directories and the log must need nothing prepared.
mkdir -p "$work/nginx"
sed -e "s/127.0.0.1:8080/127.0.0.1:$P_AUTHD/; s/127.0.0.1:8000/127.0.0.1:$P_NGINX/; s/127.0.0.1:8001/127.0.0.1:$P_ECHO/g" \
  examples/nginx/nginx.conf >"$work/nginx.conf"
as_user=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  chmod 755 "$work" && chmod 777 "$work/nginx"
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
start_bg nginx_pid "$work/nginx.log" \
  in_dir "$work/nginx" "${as_user[@]}" nginx -p "$work/nginx" -e error.log -c "$work/nginx.conf" -g 'daemon off;'
# The Rust example fetches the JWKS over https (a self-signed certificate it is told to trust), as a real
# service would from a public authd.
mkdir -p "$work/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" 2>/dev/null
start_bg tls_pid "$work/tls.log" node --input-type=module -e '
import { createServer } from "node:https";
import { readFileSync } from "node:fs";
const [port, upstream, dir] = process.argv.slice(1);
createServer({ key: readFileSync(`${dir}/key.pem`), cert: readFileSync(`${dir}/cert.pem`) }, async (req, res) => {
  const answer = await fetch(upstream + req.url);
  res.writeHead(answer.status, { "content-type": "application/json" });
  res.end(await answer.text());
}).listen(Number(port), "127.0.0.1");
' "$P_TLS" "$ISSUER" "$work/tls"
JWKS_HTTPS="https://127.0.0.1:$P_TLS/.well-known/jwks.json"
wait_healthy "http://127.0.0.1:$P_EXPRESS/healthz" 10 "$express_pid" || fail "the Express example never answered"
for _ in $(seq 50); do curl -s -o /dev/null --cacert "$work/tls/cert.pem" "$JWKS_HTTPS" && break; sleep 0.1; done
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$P_NGINX/" && break; sleep 0.1; done

ring_kid() { node -e 'const r=require(process.argv[1]+"/ring.json");const k=r.keys.find(k=>k.kind==="access"&&k.state===process.argv[2]);console.log(k?k.kid:"")' "$AUTHD_DATA_DIR" "$1"; }
next_kid=$(ring_kid next)
for _ in $(seq 50); do curl -fs "$ISSUER/.well-known/jwks.json" | grep -q "$next_kid" && break; sleep 0.1; done
curl -fs "$ISSUER/.well-known/jwks.json" | grep -q "$next_kid" || fail "the next key is not in the JWKS"

step "real clients: tokens"
signup=$(curl -fs "$ISSUER/v1/auth/signup" -H 'content-type: application/json' \
  -d '{"email":"ci@example.com","password":"correct horse battery staple"}')
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }
access=$(json access_token <<<"$signup")
refresh=$(json refresh_token <<<"$signup")
user_id=$(node -e 'console.log(JSON.parse(process.argv[1]).user.id)' "$signup")
# Tokens an attacker (or a bug) could present, made with jose: signed with the real key but expired or for another
# audience, signed with a foreign key under our kid, unsigned, and the real token with a tampered signature.
forged=$(cd examples/express && KEY_DIR="$AUTHD_DATA_DIR" ISS="$ISSUER" AUD="$AUDIENCE" SUB="$user_id" TOKEN="$access" \
  node --input-type=module -e '
import { readFileSync } from "node:fs";
import { importPKCS8, SignJWT, generateKeyPair, decodeProtectedHeader } from "jose";
const env = process.env;
const ring = JSON.parse(readFileSync(`${env.KEY_DIR}/ring.json`, "utf8"));
const active = ring.keys.find((k) => k.kind === "access" && k.state === "active");
const key = await importPKCS8(readFileSync(`${env.KEY_DIR}/${active.file}`, "utf8"), active.alg);
const { kid } = decodeProtectedHeader(env.TOKEN);
const now = Math.floor(Date.now() / 1000);
const claims = { sid: "s", jti: "j" };
const sign = (k, aud, iat, exp) => new SignJWT(claims).setProtectedHeader({ alg: active.alg, typ: "at+jwt", kid })
  .setIssuer(env.ISS).setSubject(env.SUB).setAudience(aud).setIssuedAt(iat).setExpirationTime(exp).sign(k);
const foreign = (await generateKeyPair("EdDSA")).privateKey;
const [h, p, s] = env.TOKEN.split(".");
const flipped = s.slice(0, 10) + (s[10] === "A" ? "B" : "A") + s.slice(11);
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
console.log(JSON.stringify({
  good_resigned: await sign(key, env.AUD, now, now + 300),
  expired: await sign(key, env.AUD, now - 900, now - 300),
  wrong_audience: await sign(key, "another-service", now, now + 300),
  foreign_key: await sign(foreign, env.AUD, now, now + 300),
  tampered: `${h}.${p}.${flipped}`,
  alg_none: `${b64({ alg: "none", typ: "at+jwt", kid })}.${p}.`,
}));
')
tok() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$forged" "$1"; }

express() { curl -s -o "$work/body" -w '%{http_code}' "http://127.0.0.1:$P_EXPRESS/api/whoami" -H "authorization: Bearer $1"; }
gateway() { curl -s -o "$work/body" -w '%{http_code}' "http://127.0.0.1:$P_NGINX/anything" -H "authorization: Bearer $1" "${@:2}"; }
# 0 accepted, 1 refused, 2 the JWKS could not be fetched.
rust() { SSL_CERT_FILE="$work/tls/cert.pem" "$verify_rs" "$JWKS_HTTPS" "$ISSUER" "$AUDIENCE" "$1" >"$work/body" 2>&1 && echo 0 || echo $?; }
# authd's own reason for refusing a token, from the header nginx reads.
authd_reason() { curl -s -o /dev/null -D - "$ISSUER/v1/auth/verify" -H "authorization: Bearer $1" | tr -d '\r' | sed -n 's/^x-auth-reason: //Ip'; }

accepted() { # name token
  local s
  s=$(express "$2"); [ "$s" = 200 ] || fail "express refused the $1 token ($s: $(cat "$work/body"))"
  grep -q "$user_id" "$work/body" || fail "express did not see the user of the $1 token"
  s=$(gateway "$2" -H 'x-auth-user-id: spoofed'); [ "$s" = 200 ] || fail "nginx refused the $1 token ($s)"
  grep -q "user=$user_id " "$work/body" || fail "nginx did not pass the user id upstream: $(cat "$work/body")"
  [ "$(rust "$2")" = 0 ] || fail "the Rust example refused the $1 token: $(cat "$work/body")"
  echo "accepted by express, nginx and the Rust example: $1"
}
refused() { # name token
  local s reason
  s=$(express "$2"); [ "$s" = 401 ] || fail "express answered $s to the $1 token"
  s=$(gateway "$2"); [ "$s" = 401 ] || fail "nginx answered $s to the $1 token"
  grep -q invalid_token "$work/body" || fail "nginx's 401 is not JSON: $(cat "$work/body")"
  reason=$(authd_reason "$2")
  [ -n "$reason" ] && grep -qF "\"reason\":\"$reason\"" "$work/body" \
    || fail "nginx's 401 does not pass on authd's reason ($reason): $(cat "$work/body")"
  [ "$(rust "$2")" = 1 ] || fail "the Rust example accepted the $1 token"
  echo "refused by express, nginx (reason $reason) and the Rust example: $1"
}

step "real clients: what passes and what does not"
accepted valid "$access"
accepted re-signed "$(tok good_resigned)"
for name in tampered expired wrong_audience foreign_key alg_none; do refused "$name" "$(tok "$name")"; done
refused refresh "$refresh"
refused garbage "not-a-token"
s=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P_NGINX/" -H 'x-auth-user-id: spoofed')
[ "$s" = 401 ] || fail "nginx let a request without a token through ($s)"

step "real clients: a route that needs a role"
express_admin() { curl -s -o "$work/body" -w '%{http_code}' "http://127.0.0.1:$P_EXPRESS/api/admin" -H "authorization: Bearer $1"; }
gateway_admin() { curl -s -o "$work/body" -w '%{http_code}' "http://127.0.0.1:$P_NGINX/admin/panel" -H "authorization: Bearer $1" "${@:2}"; }
s=$(express_admin "$access"); [ "$s" = 403 ] || fail "express let a token without the admin role in ($s)"
grep -q insufficient_scope "$work/body" || fail "express's 403 is not insufficient_scope: $(cat "$work/body")"
s=$(gateway_admin "$access" -H 'x-auth-roles: admin'); [ "$s" = 403 ] || fail "nginx let a token without the admin role in ($s)"
grep -q insufficient_scope "$work/body" || fail "nginx's 403 is not insufficient_scope: $(cat "$work/body")"
admin_key=$("$authd" admin-keys create ci | tail -n 1)
curl -fs -o /dev/null -X PUT "http://127.0.0.1:$P_ADMIN/admin/v1/users/$user_id/roles" -H "authorization: Bearer $admin_key" \
  -H 'content-type: application/json' -d '{"roles":["admin"]}' || fail "the admin API did not set the role"
# The role reaches tokens at the next refresh.
role_access=$(curl -fs "$ISSUER/v1/auth/refresh" -H 'content-type: application/json' \
  -d "{\"refresh_token\":\"$refresh\"}" | json access_token)
s=$(express_admin "$role_access"); [ "$s" = 200 ] || fail "express refused the admin's token ($s: $(cat "$work/body"))"
s=$(gateway_admin "$role_access" -H 'x-auth-roles: spoofed'); [ "$s" = 200 ] || fail "nginx refused the admin's token ($s)"
grep -q "roles=admin$" "$work/body" || fail "nginx did not forward the roles: $(cat "$work/body")"
echo "a route that needs a role: refused without it, allowed with it (express and nginx)"

step "real clients: rotation logs nobody out"
old_kid=$(ring_kid active)
"$authd" keys rotate --kind access >/dev/null
# SIGHUP reloads at once (and must not kill the server, which is SIGHUP's default action).
kill -HUP "$authd_pid"
for _ in $(seq 20); do grep -q 'SIGHUP: reloading the key ring' "$work/authd.log" && break; sleep 0.1; done
grep -q 'SIGHUP: reloading the key ring' "$work/authd.log" || fail "authd did not reload on SIGHUP"
curl -fs -o /dev/null "$ISSUER/healthz" || fail "authd died on SIGHUP"
new_access=""
for _ in $(seq 50); do
  new_access=$(curl -fs "$ISSUER/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"ci@example.com","password":"correct horse battery staple"}' | json access_token)
  [[ "$(node -e 'console.log(JSON.parse(Buffer.from(process.argv[1].split(".")[0],"base64url")).kid)' "$new_access")" = "$next_kid" ]] && break
  sleep 0.2
done
[[ "$(node -e 'console.log(JSON.parse(Buffer.from(process.argv[1].split(".")[0],"base64url")).alg)' "$new_access")" = ES256 ]] \
  || fail "authd does not sign with the rotated ES256 key"
accepted "post-rotation (ES256)" "$new_access"
accepted "pre-rotation (retiring key)" "$access"
"$authd" keys retire "$old_kid" --force >/dev/null
for _ in $(seq 50); do [ "$(gateway "$access")" = 401 ] && break; sleep 0.2; done
[ "$(gateway "$access")" = 401 ] || fail "nginx still accepts a token of a retired key"
[ "$(rust "$access")" = 1 ] || fail "the Rust example (fresh JWKS) still accepts a token of a retired key"
accepted "post-rotation, after the retire" "$new_access"

for secret in "$access" "$refresh" "$new_access" "$admin_key" "PRIVATE KEY" "$(sed -n 2p "$AUTHD_DATA_DIR"/refresh-*.pem)"; do
  if grep -qF -- "$secret" "$work/authd.log"; then fail "authd logged a token or key"; fi
done
echo "real clients: ok"
