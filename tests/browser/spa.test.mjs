// Drives examples/spa in Debian's Chromium against a running authd, in bearer and in cookie mode, and asserts
// what the page shows and what went over the wire. .ci/browser.sh starts authd and runs this; by hand:
//   AUTHD_URL=http://127.0.0.1:8080 SPA_PORT=8081 AUTHD_ACCESS_TTL=2 npm test
// with authd started with AUTHD_CORS_ORIGINS=http://127.0.0.1:8081 AUTHD_ACCESS_TTL=2 AUTHD_CLOCK_LEEWAY=0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  EXPIRY_WAIT_MS, SHOTS, authdPost, browser, click, currentRefreshToken, expectCurrentSessionListed,
  expectSignedIn, expectSignedOut, fillCredentials, isRefresh, openTab, refreshCookies, settled, text,
} from './helpers.mjs';

for (const mode of ['bearer', 'cookie']) {
  test(`${mode} mode: signup, logout, login, me, transparent refresh, sessions, revocation`, { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    try {
      const tab = await openTab(context, mode);
      const { page, traffic } = tab;
      const email = `${mode}-${Date.now()}@example.com`;
      await expectSignedOut(page, /^signed out$/);
      assert.equal(await text(page, '#mode'), mode);

      // Sign up, log out, log in.
      await fillCredentials(page, email);
      await click(page, '#signup');
      await expectSignedIn(page, email);
      await click(page, '#logout');
      await expectSignedOut(page, /^signed out$/);
      await fillCredentials(page, email);
      await click(page, '#login');
      await expectSignedIn(page, email);
      await expectCurrentSessionListed(page);
      assert.equal(await page.inputValue('#password'), '', 'the password field is cleared');

      if (mode === 'cookie') {
        const cookie = (await refreshCookies(context)).at(0);
        assert.ok(cookie, 'login set the refresh cookie');
        assert.equal(cookie.httpOnly, true);
        assert.equal(cookie.sameSite, 'Strict');
        assert.equal(cookie.path, '/v1/auth');
        assert.equal(cookie.secure, process.env.AUTHD_COOKIE_SECURE !== 'false');
        assert.ok(!(await page.evaluate(() => document.cookie)).includes('authd_refresh'), 'the page cannot read it');
        const loginBody = (await Promise.all(tab.tokenBodies)).at(-1);
        assert.equal(loginBody.refresh_token, undefined, 'no refresh token in the body');
        assert.equal(loginBody.user.email, email);
      }

      // The access token expires; three calls fire at once; exactly one refresh happens and all three succeed.
      await page.waitForTimeout(EXPIRY_WAIT_MS);
      const seen = traffic.length;
      const refreshesBefore = Number(await text(page, '#refresh-count'));
      await click(page, '#load-all');
      const burst = traffic.slice(seen);
      await expectSignedIn(page, email);
      assert.ok(burst.some((r) => r.status === 401), `the access token had expired: ${JSON.stringify(burst)}`);
      assert.deepEqual(burst.filter(isRefresh), [{ method: 'POST', path: '/v1/auth/refresh', status: 200 }],
        `exactly one refresh in ${JSON.stringify(burst)}`);
      for (const path of ['/v1/me', '/v1/sessions', '/v1/auth/verify']) {
        assert.equal(burst.filter((r) => r.path === path && r.status === 200).length, 1, `${path} succeeded once`);
      }
      assert.equal(Number(await text(page, '#refresh-count')), refreshesBefore + 1);
      const sessions = await expectCurrentSessionListed(page);
      assert.equal(sessions.length, 1, 'the signup session ended at logout; only this one is live');

      if (mode === 'cookie') {
        // A reload forgets the access token; the HttpOnly cookie signs back in without the form.
        await page.reload();
        await settled(page);
        await expectSignedIn(page, email);
        await expectCurrentSessionListed(page);
      }
      await page.screenshot({ path: join(SHOTS, `${mode}.png`), fullPage: true });

      // Log out: the form comes back, and the refresh token is dead on the server.
      const refreshToken = await currentRefreshToken(tab, context);
      await click(page, '#logout');
      await expectSignedOut(page, /^signed out$/);
      assert.equal(traffic.filter((r) => r.path === '/v1/auth/logout').at(-1).status, 204);
      const dead = await authdPost('/v1/auth/refresh', { refresh_token: refreshToken });
      assert.equal(dead.status, 401);
      assert.equal((await dead.json()).error, 'invalid_grant');
      if (mode === 'cookie') {
        const left = await refreshCookies(context);
        assert.deepEqual(left, [], 'logout cleared the cookie');
        await page.reload();
        await settled(page);
        await expectSignedOut(page, /^signed out$/);
      }

      // A session ended elsewhere: the next call gets a 401 that is not `expired` (or a refused refresh), and
      // the page goes back to the login form instead of retrying.
      const bodiesBefore = tab.tokenBodies.length;
      await fillCredentials(page, email);
      await click(page, '#login');
      await expectSignedIn(page, email);
      // The newest refresh token must be this login's, not the ended session's.
      if (mode === 'bearer') await tab.tokenBodiesBeyond(bodiesBefore);
      const ended = await authdPost('/v1/auth/logout', { refresh_token: await currentRefreshToken(tab, context) });
      assert.equal(ended.status, 204);
      await page.waitForTimeout(1_200); // authd instances re-read revocations every second (and the access token, 2 s, still lives)
      await click(page, '#load-me');
      await expectSignedOut(page, /^signed out: session_revoked$/);

      assert.deepEqual(tab.errors, [], 'no uncaught errors in the page');
    } finally {
      await context.close();
    }
  });
}

test('cookie mode, two tabs: one shared cookie, refreshes serialized by the Web Lock, the session survives', { timeout: 60_000 }, async () => {
  const context = await browser.newContext(); // one cookie jar and one lock manager for both tabs
  try {
    const email = `tabs-${Date.now()}@example.com`;
    const one = await openTab(context, 'cookie');
    await fillCredentials(one.page, email);
    await click(one.page, '#signup');
    await expectSignedIn(one.page, email);
    const two = await openTab(context, 'cookie'); // signs in silently with the shared cookie
    await expectSignedIn(two.page, email);

    // Both tabs find their access token expired at the same moment. Unserialized, they would present the same
    // refresh cookie twice, and authd would revoke the session as a token replay.
    await one.page.waitForTimeout(EXPIRY_WAIT_MS);
    const seen = [one.traffic.length, two.traffic.length];
    // Clicking through Playwright would space the two tabs by more than a refresh takes, so both pages are
    // told to click at the same wall-clock instant.
    const at = Date.now() + 300;
    await Promise.all([one, two].map((tab) => tab.page.evaluate((at) => new Promise((clicked) => {
      setTimeout(() => { document.getElementById('load-all').click(); clicked(); }, at - Date.now());
    }), at)));
    await Promise.all([settled(one.page), settled(two.page)]);
    const refreshes = [...one.traffic.slice(seen[0]), ...two.traffic.slice(seen[1])].filter(isRefresh);
    assert.ok(refreshes.length >= 1 && refreshes.length <= 2, `one refresh per tab at most: ${JSON.stringify(refreshes)}`);
    assert.ok(refreshes.every((r) => r.status === 200), `no refresh refused: ${JSON.stringify(refreshes)}`);
    for (const tab of [one, two]) {
      await expectSignedIn(tab.page, email);
      await expectCurrentSessionListed(tab.page);
      assert.deepEqual(tab.errors, []);
    }

    // Still one live session, and it still works from both tabs.
    for (const tab of [one, two]) {
      await click(tab.page, '#load-sessions');
      await expectSignedIn(tab.page, email);
      assert.equal((await expectCurrentSessionListed(tab.page)).length, 1);
    }
    await one.page.screenshot({ path: join(SHOTS, 'cookie-two-tabs.png'), fullPage: true });
  } finally {
    await context.close();
  }
});
