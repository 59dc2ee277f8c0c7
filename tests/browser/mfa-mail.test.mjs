// The flows of examples/spa that involve a second factor or a mailed link, in Chromium against a running authd:
// verify the address from the mailed link, enrol TOTP (codes from otplib, as an authenticator app would make
// them), log in with a code, a replayed code refused, a recovery code, and a password reset from the mailed link
// that needs a code too. .ci/browser.sh starts authd with AUTHD_APP_URL at the SPA's origin and the outbox below;
// by hand, add AUTHD_APP_URL=http://127.0.0.1:8081 AUTHD_MAIL_OUTBOX=<dir> AUTHD_MAIL_COOLDOWN=0 to authd's
// settings in spa.test.mjs's note, and AUTHD_MAIL_OUTBOX=<dir> to npm test's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'otplib';
import {
  PASSWORD, SHOTS, SPA, browser, click, env, expectSignedIn, expectSignedOut, fillCredentials, openTab,
  refreshCookies, settled, text,
} from './helpers.mjs';

const OUTBOX = env('AUTHD_MAIL_OUTBOX');
const NEW_PASSWORD = 'another horse, another battery';
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Undoes quoted-printable (soft line breaks, =XX), which is how authd's mails carry their text. */
const unquote = (qp) =>
  qp.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));

/** The link of kind `page` (verify-email, reset-password) in the newest mail to `to`, waiting for it to arrive. */
async function mailedLink(to, page) {
  const pattern = new RegExp(`https?://[^\\s"<>]+/${page}#token=[A-Za-z0-9_-]+`);
  for (let tries = 0; tries < 50; tries++) {
    const mails = [];
    for (const name of (await readdir(OUTBOX).catch(() => [])).filter((n) => n.endsWith('.eml'))) {
      const path = join(OUTBOX, name);
      const body = unquote(await readFile(path, 'utf8'));
      const link = body.match(pattern)?.[0];
      if (link && body.includes(`\nTo: ${to}`)) mails.push({ link, at: (await stat(path)).mtimeMs });
    }
    if (mails.length) return mails.sort((a, b) => a.at - b.at).at(-1).link;
    await sleep(100);
  }
  assert.fail(`no ${page} mail to ${to} in ${OUTBOX}`);
}

/**
 * An authenticator app for `secret` that never hands out a time step twice: authd accepts each step once, only
 * a later one after it, and one step of clock drift either way. So each code is of the next unused step, a step
 * behind the clock while that is safe, and at most one ahead of it (waiting for the clock when it must).
 */
function authenticator(secret) {
  let last = -Infinity;
  return async () => {
    const now = Date.now() / 1000;
    const current = Math.floor(now / 30);
    // A step behind stays valid only until the clock moves on: not in the last seconds of this step.
    const step = Math.max(last + 1, now % 30 < 25 ? current - 1 : current);
    if (step > current + 1) await sleep(((step - 1) * 30 - now) * 1000 + 200);
    last = step;
    return generate({ secret, epoch: step * 30 + 15 });
  };
}

async function expectStatusError(page, pattern) {
  assert.match(await text(page, '#status'), pattern);
  assert.ok(await page.$eval('#status', (el) => el.classList.contains('error')), 'shown as an error');
}

async function submit(page, form) {
  await page.$eval(form, (f) => f.requestSubmit());
  await settled(page);
}

/** Logs in with the password and stops at the second step; the first answer carries no token. */
async function loginToCodeStep(tab, email, password = PASSWORD) {
  const { page, traffic, tokenBodies } = tab;
  await fillCredentials(page, email, password);
  await click(page, '#login');
  assert.equal(await text(page, '#status'), 'enter the code from your authenticator app, or a recovery code');
  assert.ok(await page.isVisible('#mfa-form'), 'the code step shows');
  assert.ok(await page.isHidden('#app'), 'not signed in yet');
  assert.deepEqual(traffic.at(-1), { method: 'POST', path: '/v1/auth/login', status: 200 });
  const answer = await tokenBodies.at(-1);
  assert.equal(answer.mfa_required, true);
  assert.equal(answer.access_token, undefined, 'no access token before the second factor');
  assert.equal(answer.refresh_token, undefined, 'no refresh token before the second factor');
  if (tab.mode === 'cookie') assert.deepEqual(await refreshCookies(page.context()), [], 'and no refresh cookie');
}

/** The second step opened the session in the page's mode: a refresh token in the body, or the cookie. */
async function expectSessionDelivered(tab) {
  const tokens = await tab.tokenBodies.at(-1);
  assert.ok(tokens.access_token);
  if (tab.mode === 'bearer') assert.ok(tokens.refresh_token, 'bearer mode: the refresh token in the body');
  else {
    assert.equal(tokens.refresh_token, undefined, 'cookie mode: no refresh token in the body');
    assert.equal((await refreshCookies(tab.page.context())).length, 1, 'cookie mode: the refresh cookie is set');
  }
}

async function enterCode(page, code, { recovery = false } = {}) {
  await page.setChecked('#mfa-recovery', recovery);
  await page.fill('#mfa-code', code);
  await submit(page, '#mfa-form');
}

/** Opens a mailed link in a new tab, as a mail client would; the page takes the token out of the address bar. */
async function openLink(context, mode, link) {
  assert.ok(link.startsWith(`${SPA}/`), `the link points at the SPA: ${link}`);
  const tab = await openTab(context, mode, link);
  assert.equal(tab.page.url(), `${SPA}/`, 'the fragment (the token) is gone from the address bar');
  return tab;
}

/** No request to authd carried a mailed token, the mfa_token or a code in its URL. */
function expectNothingInUrls(tabs, secrets) {
  for (const { traffic } of tabs) {
    for (const { url } of traffic) {
      assert.ok(!new URL(url).search && !new URL(url).hash, `no query or fragment: ${url}`);
      for (const secret of secrets) assert.ok(!url.includes(secret), `no secret in ${url}`);
    }
  }
}

const tokenOf = (link) => new URL(link).hash.replace('#token=', '');

for (const mode of ['bearer', 'cookie']) {
  test(`${mode} mode: verify the address, enrol TOTP, log in with a code and a recovery code, reset the password`, { timeout: 120_000 }, async () => {
    const context = await browser.newContext();
    const tabs = [];
    try {
      const tab = await openTab(context, mode);
      tabs.push(tab);
      const { page, traffic } = tab;
      const email = `mfa-${mode}-${Date.now()}@example.com`;

      // Sign up; the address is not verified until the mailed link is opened.
      await fillCredentials(page, email);
      await click(page, '#signup');
      await expectSignedIn(page, email);
      assert.equal(await text(page, '#me-verified'), 'no');
      assert.equal(await text(page, '#mfa-state'), 'off');
      const verifyLink = await mailedLink(email, 'verify-email');
      const verifyTab = await openLink(context, mode, verifyLink);
      tabs.push(verifyTab);
      assert.equal(await text(verifyTab.page, '#status'), `email address verified: ${email}`);
      assert.deepEqual(verifyTab.traffic.filter((r) => r.path === '/v1/auth/verify-email'),
        [{ method: 'POST', path: '/v1/auth/verify-email', status: 200 }]);
      if (mode === 'cookie') assert.equal(await text(verifyTab.page, '#me-verified'), 'yes', 'signed in by the cookie');
      await verifyTab.page.close();
      await click(page, '#load-me');
      assert.equal(await text(page, '#me-verified'), 'yes');
      // A link works once.
      const usedTab = await openLink(context, mode, verifyLink);
      tabs.push(usedTab);
      await expectStatusError(usedTab.page, /used, expired|invalid|not valid/i);
      await usedTab.page.close();

      // Enrol: the QR code is an image (the CSP allows data: images, and it renders), the secret is shown.
      // Adding a second factor asks for the password again.
      await page.fill('#mfa-password', PASSWORD);
      await submit(page, '#mfa-enable');
      assert.ok(await page.isVisible('#mfa-qr'));
      await page.waitForFunction(() => document.getElementById('mfa-qr').naturalWidth > 0);
      assert.match(await page.getAttribute('#mfa-qr', 'src'), /^data:image\/svg\+xml;base64,/);
      const secret = await text(page, '#mfa-secret');
      assert.match(secret, /^[A-Z2-7]{26,}$/, 'a base32 secret');
      await page.screenshot({ path: join(SHOTS, `mfa-enrol-${mode}.png`), fullPage: true });
      const nextCode = authenticator(secret);
      // A wrong first code is refused, and the session stays (sent with a fresh access token, so the refusal is
      // the first answer, not the one after a refresh).
      await click(page, '#load-me');
      await page.fill('#mfa-confirm-code', await generate({ secret, epoch: Math.floor(Date.now() / 1000) - 3600 }));
      await submit(page, '#mfa-confirm-form');
      await expectStatusError(page, /code/);
      assert.ok(await page.isVisible('#app'), 'still signed in after a wrong code');
      await page.fill('#mfa-confirm-code', await nextCode());
      await submit(page, '#mfa-confirm-form');
      const recoveryCodes = await page.$$eval('#recovery-codes li', (lis) => lis.map((li) => li.textContent));
      assert.equal(recoveryCodes.length, 10, 'ten recovery codes, shown once');
      assert.ok(recoveryCodes.every((c) => /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/i.test(c)), `${recoveryCodes}`);
      assert.equal(await text(page, '#mfa-state'), 'on · 10 recovery codes left');
      assert.ok(await page.isHidden('#mfa-enrol'), 'the secret is gone once confirmed');
      assert.equal(await text(page, '#mfa-secret'), '');
      await click(page, '#recovery-done');
      assert.equal(await page.$$eval('#recovery-codes li', (lis) => lis.length), 0);

      // Log in again: the password is not enough; a code finishes it.
      await click(page, '#logout');
      await expectSignedOut(page, /^signed out$/);
      await loginToCodeStep(tab, email);
      const code = await nextCode();
      await enterCode(page, code);
      await expectSignedIn(page, email);
      await expectSessionDelivered(tab);
      assert.deepEqual(traffic.filter((r) => r.path === '/v1/auth/mfa').at(-1),
        { method: 'POST', path: '/v1/auth/mfa', status: 200 });

      // The same code again, in a new login: refused, and the page stays at the code step.
      await click(page, '#logout');
      await loginToCodeStep(tab, email);
      await enterCode(page, code);
      await expectStatusError(page, /code/);
      assert.deepEqual(traffic.at(-1), { method: 'POST', path: '/v1/auth/mfa', status: 401 });
      assert.ok(await page.isVisible('#mfa-form') && (await page.isHidden('#app')), 'still at the code step');

      // A recovery code, with the same mfa_token.
      await enterCode(page, recoveryCodes[0], { recovery: true });
      await expectSignedIn(page, email);
      await expectSessionDelivered(tab);
      assert.equal(await text(page, '#mfa-state'), 'on · 9 recovery codes left');
      await click(page, '#logout');

      // Forgot the password: the mailed link opens the reset form, which asks for a code as well.
      await page.click('#forgot summary');
      await page.fill('#forgot-email', email);
      await submit(page, '#forgot-form');
      assert.equal(await text(page, '#status'), 'if an account has this address, a reset link is on its way');
      assert.deepEqual(traffic.at(-1), { method: 'POST', path: '/v1/auth/password-reset', status: 202 });
      const resetLink = await mailedLink(email, 'reset-password');
      const resetTab = await openLink(context, mode, resetLink);
      tabs.push(resetTab);
      const reset = resetTab.page;
      assert.equal(await text(reset, '#status'), 'choose a new password');
      assert.ok(await reset.isHidden('#reset-factor'), 'no code field until authd asks for one');
      await reset.fill('#new-password', NEW_PASSWORD);
      await submit(reset, '#reset-form');
      await expectStatusError(reset, /two-factor/);
      assert.ok(await reset.isVisible('#reset-code'), 'the code field shows');
      assert.deepEqual(resetTab.traffic.at(-1), { method: 'POST', path: '/v1/auth/password-reset/confirm', status: 403 });
      await reset.fill('#reset-code', await nextCode());
      await submit(reset, '#reset-form');
      await expectSignedOut(reset, /^password changed: log in with the new one$/);
      assert.deepEqual(resetTab.traffic.at(-1), { method: 'POST', path: '/v1/auth/password-reset/confirm', status: 204 });
      // The link is spent: opened again, it is refused and the login form comes back.
      const spentTab = await openLink(context, mode, resetLink);
      tabs.push(spentTab);
      await spentTab.page.fill('#new-password', 'yet another horse, yet another battery');
      await submit(spentTab.page, '#reset-form');
      await expectStatusError(spentTab.page, /used, expired|invalid|not valid/i);
      assert.ok(await spentTab.page.isHidden('#reset-form') && (await spentTab.page.isVisible('#auth-form')));
      await spentTab.page.close();

      // The old password is refused; the new one (and the second factor) signs in.
      await fillCredentials(reset, email, PASSWORD);
      await click(reset, '#login');
      await expectStatusError(reset, /invalid|password/i);
      await loginToCodeStep(resetTab, email, NEW_PASSWORD);
      await enterCode(reset, recoveryCodes[1], { recovery: true });
      await expectSignedIn(reset, email);
      assert.equal(await text(reset, '#mfa-state'), 'on · 8 recovery codes left');
      await reset.screenshot({ path: join(SHOTS, `mfa-mail-${mode}.png`), fullPage: true });

      expectNothingInUrls(tabs, [tokenOf(verifyLink), tokenOf(resetLink), code, ...recoveryCodes.slice(0, 2)]);
      for (const { errors } of tabs) assert.deepEqual(errors, [], 'no uncaught errors in the page');
    } catch (err) {
      for (const [i, { page }] of tabs.entries()) {
        if (!page.isClosed()) await page.screenshot({ path: join(SHOTS, `mfa-mail-${mode}-failed-${i}.png`), fullPage: true });
      }
      throw err;
    } finally {
      await context.close();
    }
  });
}
