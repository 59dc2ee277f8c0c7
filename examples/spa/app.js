// authd example SPA, plain JavaScript with no build step: sign up, log in, /v1/me, sessions, logout, and a
// transparent refresh when the access token expires.
//
// Configured by the query string: ?authd=http://127.0.0.1:8080&mode=bearer|cookie
// (authd must list this page's origin in AUTHD_CORS_ORIGINS).
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
const AUTHD = (params.get('authd') || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const MODE = params.get('mode') === 'cookie' ? 'cookie' : 'bearer';

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

// An API call with the access token. A 401 `expired` refreshes and retries once; any other 401 signs out.
async function api(path, method = 'GET') {
  const send = (token) => http(path, { method, headers: { Authorization: `Bearer ${token}` } });
  const sent = accessToken;
  let res = await send(sent);
  if (res.status === 401) {
    const err = await failure(res);
    if (err.reason !== 'expired') throw signOutOn(err);
    await refresh(sent);
    if (!accessToken) throw Object.assign(err, { signedOut: true }); // another call signed out meanwhile
    res = await send(accessToken); // once: a second 401 is final
  }
  if (res.status === 401) throw signOutOn(await failure(res));
  if (!res.ok) throw await failure(res);
  return res.json();
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
  $('auth-form').hidden = true;
  $('app').hidden = false;
  setStatus(`signed in as ${user.email}`);
}

function signedOut(message) {
  accessToken = refreshToken = null;
  $('app').hidden = true;
  $('auth-form').hidden = false;
  $('sessions').replaceChildren();
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
  const res = await http(`/v1/auth/${kind}`, {
    method: 'POST',
    // Cookie mode: credentials, or the browser drops the Set-Cookie of this cross-origin response.
    credentials: MODE === 'cookie' ? 'include' : 'omit',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      email: $('email').value,
      password: $('password').value,
      ...(MODE === 'cookie' && { token_delivery: 'cookie' }),
    }),
  });
  if (!res.ok) throw await failure(res);
  const tokens = await res.json();
  adopt(tokens);
  share(tokens);
  $('password').value = '';
  await loadSessions();
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

$('auth-form').addEventListener('submit', (event) => {
  event.preventDefault();
  action(() => signIn('login'));
});
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
  adopt(tokens);
  share(tokens);
  await loadSessions();
}

$('authd-url').textContent = AUTHD;
$('mode').textContent = MODE;
showProviders();
if (params.get('code')) {
  action(async () => {
    signedOut('signing in…');
    await finishSocialLogin(params.get('code'));
  });
} else if (params.get('error')) {
  history.replaceState(null, '', returnUri());
  signedOut(`sign-in failed: ${params.get('error_description') || params.get('error')}`);
} else if (MODE === 'cookie') {
  // A cookie from an earlier visit or another tab may still hold a session: sign in silently with it.
  action(async () => {
    try {
      await refresh(null);
      await loadSessions();
    } catch {
      signedOut('signed out');
    }
  });
} else {
  signedOut('signed out');
}
