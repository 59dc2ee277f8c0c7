// Social login in examples/spa, in Chromium against a running authd and a real OpenID provider
// (tests/oidc/provider.mjs, `testidp` to authd): the page's "Sign in with testidp" button, the whole redirect
// flow through authd and the provider, the one-time code traded for tokens back on the page, and a refusal at the
// provider. .ci/browser.sh starts the provider, gives authd its settings and the SPA URLs of both modes as
// AUTHD_REDIRECT_URIS, and passes IDP_NAME and IDP_ISSUER here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  AUTHD, SHOTS, SPA, browser, env, expectCurrentSessionListed, expectSignedIn, expectSignedOut, openTab, settled,
} from './helpers.mjs';

const IDP_NAME = env('IDP_NAME');
const IDP = env('IDP_ISSUER').replace(/\/+$/, '');

const payload = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

/** Every URL the browser requests or shows in this context. */
function watch(context) {
  const urls = [];
  context.on('request', (req) => urls.push(req.url()));
  context.on('page', (page) => page.on('framenavigated', (frame) => urls.push(frame.url())));
  return urls;
}

/**
 * The provider's interaction page answered with `query` (it signs in, or refuses with deny=1, as the interaction
 * URL's query says). Playwright routes only the first request of a redirect chain, so the start is routed: its
 * first two hops (authd's start, the provider's authorization endpoint, with the context's cookies) are fetched
 * here, and the browser is sent on to the interaction URL with the query added; the rest it follows itself.
 */
async function answerInteraction(context, query, urls) {
  await context.route((url) => url.href.startsWith(`${AUTHD}/v1/auth/oauth/${IDP_NAME}/start?`), async (route) => {
    const start = await route.fetch({ maxRedirects: 0 });
    const authorize = start.headers().location;
    urls.push(authorize);
    const interaction = new URL((await context.request.get(authorize, { maxRedirects: 0 })).headers().location, IDP);
    for (const [name, value] of Object.entries(query)) interaction.searchParams.set(name, value);
    await route.fulfill({ status: 302, headers: { location: interaction.href } });
  });
}

/** Clicks the provider's button and waits until the browser is back on the SPA and the page is done. */
async function signInWithProvider(page) {
  const button = page.locator('#providers button', { hasText: `Sign in with ${IDP_NAME}` });
  await button.waitFor();
  await Promise.all([
    page.waitForURL((url) => url.origin === SPA && (url.searchParams.has('code') || url.searchParams.has('error')),
      { timeout: 15_000, waitUntil: 'commit' }),
    button.click(),
  ]);
  await page.waitForLoadState('load');
  await settled(page);
}

for (const mode of ['bearer', 'cookie']) {
  test(`${mode} mode: sign in with the test provider through the whole redirect flow`, { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    try {
      // The provider's default account: the browser follows every redirect itself, nothing routed.
      const email = 'alice@example.com';
      const urls = watch(context);
      const tab = await openTab(context, mode);
      const { page, traffic, tokenBodies, errors } = tab;
      const home = page.url();
      await expectSignedOut(page, /^signed out$/);

      await signInWithProvider(page);
      await page.waitForFunction(() => !/^signing in/.test(document.querySelector('#status').textContent.trim()));
      await expectSignedIn(page, email);
      await expectCurrentSessionListed(page);

      // The trip went through authd's start, the provider, authd's callback, and back with a one-time code.
      assert.ok(urls.some((u) => u.startsWith(`${AUTHD}/v1/auth/oauth/${IDP_NAME}/start?`)), 'authd started it');
      assert.ok(urls.some((u) => u.startsWith(`${IDP}/`)), 'the browser went to the provider');
      assert.ok(urls.some((u) => u.startsWith(`${AUTHD}/v1/auth/oauth/${IDP_NAME}/callback?`)), 'and back to authd');
      assert.ok(urls.some((u) => u.startsWith(`${SPA}/`) && new URL(u).searchParams.has('code')),
        'authd sent the browser back to the SPA with a code');
      const exchanges = traffic.filter((r) => r.path === '/v1/auth/oauth/exchange');
      assert.deepEqual(exchanges, [{ method: 'POST', path: '/v1/auth/oauth/exchange', status: 200 }]);

      // The tokens came from the exchange: a federated first factor.
      const body = (await Promise.all(tokenBodies)).at(-1);
      assert.equal(body.user.email, email);
      assert.deepEqual(payload(body.access_token).amr, ['fed']);
      if (mode === 'cookie') assert.equal(body.refresh_token, undefined, 'the refresh token is in the cookie');
      else assert.ok(body.refresh_token, 'bearer mode gets the refresh token in the body');

      // No token ever in a URL; the code is gone from the address bar.
      // A JWT is two base64url JSON objects and a signature (`eyJ….eyJ….…`); a bare `eyJ` can occur by chance in
      // a random PKCE challenge or state, so look for that shape and for the tokens themselves.
      const issued = [body.access_token, body.refresh_token].filter(Boolean);
      const leaks = urls.filter((u) => /eyJ[\w-]*\.eyJ/.test(u) || issued.some((t) => u.includes(t)));
      assert.deepEqual(leaks, [], 'no token in any URL');
      assert.equal(new URL(page.url()).searchParams.has('code'), false, `no code in ${page.url()}`);
      assert.equal(page.url(), home, 'the address bar is the page the sign-in started from');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('authd-pkce')), null, 'the verifier is gone');
      assert.deepEqual(errors, []);
      await page.screenshot({ path: join(SHOTS, `social-${mode}.png`), fullPage: true });
    } finally {
      await context.close();
    }
  });
}

test('bearer mode: the provider refuses, and the page says so', { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  try {
    const urls = watch(context);
    await answerInteraction(context, { deny: '1' }, urls);
    const { page, traffic, errors } = await openTab(context, 'bearer');
    const home = page.url();
    await signInWithProvider(page);
    // authd's own words for the provider's access_denied, from the error_description it sent back.
    await expectSignedOut(page, /^sign-in failed: the provider did not sign the user in$/);
    assert.ok(urls.some((u) => u.startsWith(`${SPA}/`) && new URL(u).searchParams.has('error')),
      'authd sent the browser back to the SPA with an error');
    assert.equal(traffic.filter((r) => r.path === '/v1/auth/oauth/exchange').length, 0, 'nothing to exchange');
    assert.equal(page.url(), home, 'the error is gone from the address bar');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
