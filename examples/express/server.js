// An Express app that trusts authd: every /api route needs a valid authd access token, checked locally against
// authd's published keys (no call to authd per request). Settings:
//   PORT (default 3000), AUTHD_ISSUER (e.g. http://127.0.0.1:8080, the value authd runs with),
//   AUTHD_AUDIENCE (default "authd"), AUTHD_JWKS_URL (default $AUTHD_ISSUER/.well-known/jwks.json).
import express from 'express';
import { createRemoteJWKSet, jwtVerify, errors } from 'jose';

const port = Number(process.env.PORT ?? 3000);
const issuer = process.env.AUTHD_ISSUER;
const audience = process.env.AUTHD_AUDIENCE ?? 'authd';
if (!issuer) throw new Error('AUTHD_ISSUER must be set to authd\'s issuer URL');
const jwksUrl = new URL(process.env.AUTHD_JWKS_URL ?? `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`);

// Caches the key set and refetches it (at most every 30 s) when a token names a kid it has not seen, so a key
// rotation in authd needs nothing here.
const jwks = createRemoteJWKSet(jwksUrl);

async function requireAuthd(req, res, next) {
  const match = /^Bearer ([^\s]+)$/i.exec(req.get('authorization') ?? '');
  if (!match) {
    return res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'invalid_token', reason: 'missing' });
  }
  try {
    const { payload } = await jwtVerify(match[1], jwks, {
      algorithms: ['EdDSA', 'ES256'], // never take the algorithm from the token; HS256 is not accepted here
      issuer,
      audience,
      typ: 'at+jwt', // refresh tokens (typ refresh+jwt) are not bearer credentials
      requiredClaims: ['sub', 'exp', 'sid'],
      clockTolerance: 30,
    });
    req.user = { id: payload.sub, sessionId: payload.sid, roles: Array.isArray(payload.roles) ? payload.roles : [] };
    return next();
  } catch (err) {
    const reason = err instanceof errors.JWTExpired ? 'expired' : err.code ?? 'invalid';
    return res.status(401).set('WWW-Authenticate', 'Bearer error="invalid_token"')
      .json({ error: 'invalid_token', reason });
  }
}

// After requireAuthd: the token must carry `role` (roles are set with authd's admin API and reach tokens at the
// next refresh). RFC 6750's answer for a valid token that is not enough is 403 insufficient_scope.
function requireRole(role) {
  return (req, res, next) => {
    if (req.user.roles.includes(role)) return next();
    return res.status(403).set('WWW-Authenticate', 'Bearer error="insufficient_scope"')
      .json({ error: 'insufficient_scope', error_description: `the ${role} role is required` });
  };
}

const app = express();
app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
app.get('/api/whoami', requireAuthd, (req, res) => res.json({ user_id: req.user.id, session_id: req.user.sessionId }));
app.get('/api/admin', requireAuthd, requireRole('admin'), (req, res) => res.json({ user_id: req.user.id, roles: req.user.roles }));
app.listen(port, '127.0.0.1', () => console.log(`express example on http://127.0.0.1:${port}, trusting ${issuer}`));
