// authd example SPA, plain JavaScript with no build step: sign up, log in (with a second factor when the account
// has one), /v1/me, sessions, logout, a transparent refresh when the access token expires, TOTP enrolment, and the
// pages that mailed links open (/verify-email#token=..., /reset-password#token=...).
//
// Configured by the query string: ?authd=http://127.0.0.1:8080&mode=bearer|cookie
// (authd must list this page's origin in AUTHD_CORS_ORIGINS, and AUTHD_APP_URL should be this page's origin).
//
// Where the tokens live, and why:
// - The access token: in a variable only, sent as `Authorization: Bearer`. Nothing persistent for an injected
//   script to find later, and it is short-lived anyway.
// - bearer mode: the refresh token in a variable too. Each tab is then its own session and no two tabs can ever
//   hold the same refresh token (sessionStorage would be copied by "Duplicate tab"). A reload signs out.
// - cookie mode: the refresh token is an HttpOnly cookie of authd's origin that this page never sees. Every tab
//   shares it, so refreshes are serialized across tabs with a Web Lock and the result is shared on a
//   BroadcastChannel. A reload signs back in silently with the cookie.

const params = new URLSearchParams(location.search);
// Mailed links carry no query string, so the page remembers its two settings (no secret) for them. A real app
// would build its authd URL in instead of taking it from the address bar.
const saved = JSON.parse(localStorage.getItem('authd-spa') || '{}');
const AUTHD = (params.get('authd') || saved.authd || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const MODE = (params.get('mode') || saved.mode) === 'cookie' ? 'cookie' : 'bearer';
localStorage.setItem('authd-spa', JSON.stringify({ authd: AUTHD, mode: MODE }));
// Cookie mode: credentials on the calls that open a session, or the browser drops their Set-Cookie.
const SIGN_IN = MODE === 'cookie'
  ? { credentials: 'include', delivery: { token_delivery: 'cookie' } }
  : { credentials: 'omit', delivery: {} };

let accessToken = null;
let refreshToken = null; // bearer mode only
let refreshCount = 0; // refreshes this tab made; shown for the browser test

const $ = (id) => document.getElementById(id);

class ApiError extends Error {
  constructor(status, body) {
    super(body.error_description || `HTTP ${status}`);
    Object.assign(this, { status, code: body.error, reason: body.reason, signedOut: false });
  }
}

// Every request goes through here, so the page can show an HTTP log.
async function http(path, init = {}) {
  const res = await fetch(AUTHD + path, init);
  let line = `${init.method || 'GET'} ${path} → ${res.status}`;
  if (!res.ok) {
    const body = await res.clone().json().catch(() => ({}));
    line += ` ${body.error || ''} ${body.reason || ''}`;
  }
  const li = document.createElement('li');
  li.textContent = line;
  li.className = res.ok ? '' : 'bad';
  $('log').prepend(li);
  $('log').querySelectorAll('li:nth-child(n+15)').forEach((old) => old.remove());
  return res;
}

const failure = async (res) => new ApiError(res.status, await res.json().catch(() => ({})));

// Other tabs of this page share the cookie, hence the identity: tell them about new tokens and sign-outs.
const channel = MODE === 'cookie' && 'BroadcastChannel' in window ? new BroadcastChannel('authd') : null;
channel?.addEventListener('message', ({ data }) => {
  if (data.type === 'tokens') adopt(data.tokens);
  if (data.type === 'signed-out') signedOut('signed out in another tab');
});

// Body and options of the calls that present the refresh token (refresh, logout).
function withRefreshToken() {
  if (MODE === 'bearer') {
    return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh_token: refreshToken }) };
  }
  // The browser attaches the cookie only with credentials. authd also wants the CSRF header: a cross-site form
  // cannot send it, and a cross-origin script only after a preflight that authd approves for this origin.
  return {
    method: 'POST',
    credentials: 'include',
    headers: { 'Content-Type': 'application/json', 'X-Authd-CSRF': '1' },
    body: '{}',
  };
}

// Holds the cross-tab lock while `fn` runs. Without it two tabs could send the same refresh cookie at once, and
// authd takes a second use of a rotated refresh token for theft and revokes the whole session. Web Locks exist
// only in secure contexts (https, localhost, 127.0.0.1); elsewhere a tab can only serialize its own calls.
function withRefreshLock(fn) {
  return navigator.locks ? navigator.locks.request('authd-refresh', fn) : fn();
}

// Single flight: the first call that finds its token expired starts the refresh; every call that finds the same
// thing while it runs awaits the very same promise.
let refreshing = null;
function refresh(expiredToken) {
  refreshing ??= withRefreshLock(() => refreshNow(expiredToken)).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function refreshNow(expiredToken) {
  // Already replaced while we waited for the lock, by this tab or by another one over the channel: nothing to do.
  // This also covers a call whose 401 arrives after the refresh it needed has finished.
  if (accessToken !== expiredToken) return;
  const res = await http('/v1/auth/refresh', withRefreshToken());
  if (!res.ok) throw signOutOn(await failure(res)); // invalid_grant: the session is over
  const tokens = await res.json();
  adopt(tokens);
  $('refresh-count').textContent = ++refreshCount;
  share(tokens);
}

// An API call with the access token. A 401 `expired` refreshes and retries once; any other `invalid_token` signs
// out. Other errors (a 401 `invalid_code` too) leave the session alone.
async function api(path, method = 'GET', body = undefined) {
  const json = body === undefined ? {} : { 'Content-Type': 'application/json' };
  const send = (token) =>
    http(path, { method, headers: { Authorization: `Bearer ${token}`, ...json }, body: body && JSON.stringify(body) });
  const sent = accessToken;
  let res = await send(sent);
  if (res.status === 401) {
    const err = await failure(res);
    if (err.code !== 'invalid_token') throw err;
    if (err.reason !== 'expired') throw signOutOn(err);
    await refresh(sent);
    if (!accessToken) throw Object.assign(err, { signedOut: true }); // another call signed out meanwhile
    res = await send(accessToken); // once: a second 401 is final
  }
  if (!res.ok) {
    const err = await failure(res);
    throw err.code === 'invalid_token' ? signOutOn(err) : err;
  }
  return res.json();
}

// A call without the access token: sign-in steps and mailed links. Returns the JSON body, if any.
async function post(path, body, credentials = 'omit') {
  const res = await http(path, {
    method: 'POST',
    credentials,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return res.status === 204 ? null : res.json();
}

function adopt(tokens) {
  accessToken = tokens.access_token;
  if (MODE === 'bearer') refreshToken = tokens.refresh_token;
  $('token-exp').textContent = new Date(Date.now() + tokens.expires_in * 1000).toLocaleTimeString();
  showUser(tokens.user);
}

// Cookie mode: the other tabs use the same session, so hand them the new access token too (never a refresh
// token: in cookie mode the page has none).
function share(tokens) {
  const { access_token, expires_in, user } = tokens;
  channel?.postMessage({ type: 'tokens', tokens: { access_token, expires_in, user } });
}

function showUser(user) {
  $('me-email').textContent = user.email;
  $('me-id').textContent = user.id;
  $('me-verified').textContent = user.email_verified ? 'yes' : 'no';
  $('auth-form').hidden = $('forgot').hidden = $('mfa-form').hidden = true;
  $('app').hidden = false;
  setStatus(`signed in as ${user.email}`);
}

function signedOut(message) {
  accessToken = refreshToken = mfaToken = null;
  $('app').hidden = $('mfa-form').hidden = true;
  $('auth-form').hidden = $('forgot').hidden = false;
  $('sessions').replaceChildren();
  closeEnrolment();
  setStatus(message);
}

function signOutOn(err) {
  signedOut(`signed out: ${err.reason || err.code || err.message}`);
  err.signedOut = true;
  return err;
}

function setStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

async function signIn(kind) {
  const credentials = { email: $('email').value, password: $('password').value, ...SIGN_IN.delivery };
  const answer = await post(`/v1/auth/${kind}`, credentials, SIGN_IN.credentials);
  $('password').value = '';
  if (answer.mfa_required) return askForCode(answer.mfa_token);
  // With AUTHD_REQUIRE_VERIFIED_EMAIL, signup opens no session until the mailed link is used.
  if (!answer.access_token) return setStatus('check your mail: open the link to verify the address, then log in');
  await signedIn(answer);
}

async function signedIn(tokens) {
  adopt(tokens);
  share(tokens);
  await Promise.all([loadSessions(), loadMfa()]);
}

// --- Login, second step: the password was right and the account has a second factor. ---

let mfaToken = null; // single use, lives a few minutes; never stored

function askForCode(token) {
  mfaToken = token;
  $('auth-form').hidden = $('forgot').hidden = true;
  $('mfa-form').hidden = false;
  $('mfa-code').focus();
  setStatus('enter the code from your authenticator app, or a recovery code');
}

// A code or a recovery code, as the user chose (`prefix` is the form's: mfa or reset).
function secondFactor(prefix) {
  const value = $(`${prefix}-code`).value.trim();
  return $(`${prefix}-recovery`).checked ? { recovery_code: value } : { code: value };
}

async function completeMfa() {
  const body = { mfa_token: mfaToken, ...secondFactor('mfa'), ...SIGN_IN.delivery };
  $('mfa-code').value = '';
  let tokens;
  try {
    tokens = await post('/v1/auth/mfa', body, SIGN_IN.credentials);
  } catch (err) {
    // invalid_code: try again with the same mfa_token. invalid_grant (expired, used, burned): start over.
    throw err.code === 'invalid_grant' ? signOutOn(err) : err;
  }
  await signedIn(tokens);
}

// --- Two-factor panel: enrol (QR code and secret), confirm with a first code, show the recovery codes once. ---

async function loadMfa() {
  const mfa = await api('/v1/me/mfa');
  $('mfa-state').textContent = mfa.enabled ? `on · ${mfa.recovery_codes_left} recovery codes left` : 'off';
  $('mfa-enable').hidden = mfa.enabled;
}

async function enrolMfa() {
  const password = $('mfa-password').value;
  $('mfa-password').value = '';
  // A social-only account has no password: it sends none, and authd checks that its sign-in is recent.
  const enrolment = await api('/v1/me/mfa/totp', 'POST', password ? { password } : {});
  // authd's SVG goes in as an image, never as markup: an <img> runs no script and reaches into nothing.
  $('mfa-qr').src = `data:image/svg+xml;base64,${btoa(enrolment.qr_svg)}`;
  $('mfa-secret').textContent = enrolment.secret;
  $('mfa-enrol').hidden = false;
  $('mfa-enable').hidden = true;
  $('mfa-state').textContent = 'waiting for the first code';
}

async function confirmMfa() {
  const code = $('mfa-confirm-code').value.trim();
  $('mfa-confirm-code').value = '';
  const { recovery_codes } = await api('/v1/me/mfa/totp/confirm', 'POST', { code });
  closeEnrolment();
  const items = recovery_codes.map((code) => Object.assign(document.createElement('li'), { textContent: code }));
  $('recovery-codes').replaceChildren(...items);
  $('recovery').hidden = false;
  await loadMfa();
}

// The secret and the recovery codes leave the page as soon as they are no longer needed.
function closeEnrolment() {
  $('mfa-enrol').hidden = $('recovery').hidden = true;
  $('mfa-qr').removeAttribute('src');
  $('mfa-secret').textContent = '';
  $('recovery-codes').replaceChildren();
}

// --- Mailed links: the token is in the fragment, so it never reached a server; the page posts it. ---

async function verifyEmail(token) {
  const user = await post('/v1/auth/verify-email', { token });
  if ($('me-id').textContent === user.id) $('me-verified').textContent = 'yes';
  setStatus(`email address verified: ${user.email}`);
}

let resetToken = null;

function showResetForm(token) {
  resetToken = token;
  $('auth-form').hidden = $('forgot').hidden = true;
  $('reset-form').hidden = false;
  setStatus('choose a new password');
}

async function confirmReset() {
  const factor = $('reset-factor').hidden ? {} : secondFactor('reset');
  const body = { token: resetToken, new_password: $('new-password').value, ...factor };
  try {
    await post('/v1/auth/password-reset/confirm', body);
  } catch (err) {
    if (err.code === 'mfa_required') {
      $('reset-factor').hidden = false;
      err.message = 'this account has two-factor authentication: enter a code too';
    }
    if (err.code === 'invalid_token_link') {
      // Used, expired or replaced: this link is done. A new one is a "Forgot password?" away.
      $('reset-form').hidden = true;
      if (!accessToken) $('auth-form').hidden = $('forgot').hidden = false;
    }
    throw err;
  }
  resetToken = null;
  $('new-password').value = $('reset-code').value = '';
  $('reset-form').hidden = $('reset-factor').hidden = true;
  // authd ended every session of the account, this tab's included.
  signedOut('password changed: log in with the new one');
  channel?.postMessage({ type: 'signed-out' });
}

async function forgotPassword() {
  await post('/v1/auth/password-reset', { email: $('forgot-email').value });
  setStatus('if an account has this address, a reset link is on its way');
}

async function logout() {
  try {
    // Under the lock, so that it never races a refresh of the same session.
    const res = await withRefreshLock(() => http('/v1/auth/logout', withRefreshToken()));
    if (!res.ok) throw await failure(res);
  } finally {
    // authd answers 204 even when the session had already ended, and local state is cleared whatever happened.
    signedOut('signed out');
    channel?.postMessage({ type: 'signed-out' });
  }
}

async function loadMe() {
  const me = await api('/v1/me');
  $('me-email').textContent = me.email;
  $('me-id').textContent = me.id;
  $('me-verified').textContent = me.email_verified ? 'yes' : 'no';
}

async function loadSessions() {
  const sessions = await api('/v1/sessions');
  $('sessions').replaceChildren(
    ...sessions.map((s) => {
      const li = document.createElement('li');
      li.dataset.testid = 'session';
      li.dataset.current = s.current;
      li.dataset.id = s.id;
      // textContent, never innerHTML: user_agent is whatever some client sent.
      const ua = s.user_agent || 'unknown client';
      const agent = ua.match(/\w*(Firefox|Chrome|Safari)\/\d+/)?.[0] || ua.slice(0, 40);
      const since = new Date(s.created_at).toLocaleString();
      li.textContent = `${s.current ? 'this session · ' : ''}since ${since} · ${s.ip || '?'} · ${agent}`;
      return li;
    }),
  );
}

// Runs a button's work; errors that did not already sign out are shown. `data-busy` tells the test when done.
let busy = 0;
async function action(work) {
  document.body.dataset.busy = ++busy;
  try {
    await work();
  } catch (err) {
    if (!err.signedOut) setStatus(err.message, true);
  } finally {
    if (--busy === 0) delete document.body.dataset.busy;
  }
}

const onSubmit = (id, work) =>
  $(id).addEventListener('submit', (event) => {
    event.preventDefault();
    action(work);
  });
onSubmit('auth-form', () => signIn('login'));
$('signup').addEventListener('click', () => {
  if ($('auth-form').reportValidity()) action(() => signIn('signup'));
});
$('load-me').addEventListener('click', () => action(loadMe));
$('load-sessions').addEventListener('click', () => action(loadSessions));
// Three calls at once: with an expired access token all three get a 401, and still only one refresh happens.
$('load-all').addEventListener('click', () =>
  action(() => Promise.all([loadMe(), loadSessions(), api('/v1/auth/verify')])),
);
$('logout').addEventListener('click', () => action(logout));
onSubmit('mfa-form', completeMfa);
onSubmit('mfa-confirm-form', confirmMfa);
onSubmit('reset-form', confirmReset);
onSubmit('forgot-form', forgotPassword);
$('mfa-cancel').addEventListener('click', () => signedOut('signed out'));
onSubmit('mfa-enable', enrolMfa);
$('recovery-done').addEventListener('click', closeEnrolment);

// A mailed link's token is read once and taken out of the address bar (history, bookmarks, screen shares).
const link = { page: location.pathname, token: new URLSearchParams(location.hash.slice(1)).get('token') || '' };
if (link.page !== '/' || location.hash) history.replaceState(null, '', `/${location.search}`);

// Social login. This page's own URL, without the `code`/`error` authd adds, is the redirect URI: list it in
// AUTHD_REDIRECT_URIS exactly. The PKCE verifier must survive the trip through the provider, so it waits in
// sessionStorage (this tab only), and is removed as soon as it is used.
const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const returnUri = () => {
  const url = new URL(location.href);
  ['code', 'error', 'error_description', 'linked'].forEach((name) => url.searchParams.delete(name));
  return url.toString();
};

async function startSocialLogin(provider) {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem('authd-pkce', verifier);
  const query = new URLSearchParams({ redirect_uri: returnUri(), code_challenge: challenge });
  location.assign(`${AUTHD}${provider.start_path}?${query}`);
}

async function showProviders() {
  // Plain fetch, not `http`: the button list is not part of the HTTP log the browser test reads.
  const res = await fetch(`${AUTHD}/v1/auth/providers`).catch(() => null);
  const { providers = [] } = res?.ok ? await res.json() : {};
  $('providers').replaceChildren(
    ...providers.map((provider) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = `Sign in with ${provider.name}`;
      button.addEventListener('click', () => action(() => startSocialLogin(provider)));
      return button;
    }),
  );
}

// Back from the provider: trade the one-time code (with the verifier) for tokens, then drop it from the URL.
async function finishSocialLogin(code) {
  const verifier = sessionStorage.getItem('authd-pkce');
  sessionStorage.removeItem('authd-pkce');
  history.replaceState(null, '', returnUri());
  const res = await http('/v1/auth/oauth/exchange', {
    method: 'POST',
    credentials: MODE === 'cookie' ? 'include' : 'omit',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, code_verifier: verifier, ...(MODE === 'cookie' && { token_delivery: 'cookie' }) }),
  });
  if (!res.ok) throw await failure(res);
  const tokens = await res.json();
  // An account with a second factor: the provider proved the first one; the code step follows as after a password.
  if (tokens.mfa_required) return askForCode(tokens.mfa_token);
  adopt(tokens);
  share(tokens);
  await Promise.all([loadSessions(), loadMfa()]);
}

$('authd-url').textContent = AUTHD;
$('mode').textContent = MODE;
showProviders();
action(async () => {
  // Back from a provider: trade the one-time code (never a token in the URL), or show why it failed.
  if (params.get('code')) {
    signedOut('signing in…');
    await finishSocialLogin(params.get('code'));
    return;
  }
  if (params.get('error')) {
    history.replaceState(null, '', returnUri());
    signedOut(`sign-in failed: ${params.get('error_description') || params.get('error')}`);
    return;
  }
  if (MODE === 'cookie') {
    // A cookie from an earlier visit or another tab may still hold a session: sign in silently with it.
    try {
      await refresh(null);
      await Promise.all([loadSessions(), loadMfa()]);
    } catch {
      signedOut('signed out');
    }
  } else {
    signedOut('signed out');
  }
  if (link.page === '/verify-email') await verifyEmail(link.token);
  if (link.page === '/reset-password') showResetForm(link.token);
});
