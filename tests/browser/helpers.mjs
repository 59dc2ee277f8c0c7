// What the browser tests share: the environment .ci/browser.sh sets, one Chromium and one SPA server per test
// file, a tab that records authd's traffic, and the assertions on what the page shows.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveSpa } from './static-server.mjs';

export const env = (name) => process.env[name] || assert.fail(`${name} must be set (see .ci/browser.sh)`);
export const AUTHD = env('AUTHD_URL').replace(/\/+$/, '');
export const SPA_PORT = Number(env('SPA_PORT'));
export const SPA = `http://127.0.0.1:${SPA_PORT}`;
// Long enough for the access token to be past `exp` (whole seconds, no leeway on the server).
export const EXPIRY_WAIT_MS = (Number(env('AUTHD_ACCESS_TTL')) + 1.2) * 1000;
export const SHOTS = fileURLToPath(new URL('../../target/browser-test/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const PASSWORD = 'correct horse battery staple';

let server;
export let browser;

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  server = await serveSpa(SPA_PORT);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/**
 * A tab on the SPA (its home page with the mode in the query, or `url`, say a mailed link) that records every
 * response from authd (and the bodies of the calls that sign in), and collects page errors.
 */
export async function openTab(context, mode, url = `${SPA}/?authd=${encodeURIComponent(AUTHD)}&mode=${mode}`) {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const traffic = [];
  const tokenBodies = [];
  const errors = [];
  page.on('pageerror', (err) => errors.push(err));
  page.on('response', (res) => {
    if (!res.url().startsWith(AUTHD)) return;
    const entry = { method: res.request().method(), path: new URL(res.url()).pathname, status: res.status() };
    traffic.push(entry);
    Object.defineProperty(entry, 'url', { value: res.url() }); // kept out of deepEqual comparisons
    if (entry.method === 'POST' && /^\/v1\/auth\/(signup|login|refresh|mfa|oauth\/exchange)$/.test(entry.path) && res.ok()) {
      tokenBodies.push(res.json());
    }
  });
  await page.goto(url);
  await settled(page);
  const tab = { page, traffic, tokenBodies, errors, mode };
  tab.lastRefreshToken = async () => (await Promise.all(tokenBodies)).at(-1).refresh_token;
  // Playwright reports a response to the listener above asynchronously, possibly after the page already showed
  // its effect: wait until more than `count` sign-in bodies are recorded before reading the newest.
  tab.tokenBodiesBeyond = async (count) => {
    for (let i = 0; i < 100 && tokenBodies.length <= count; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(tokenBodies.length > count, 'the sign-in response was recorded');
  };
  return tab;
}

/** Waits until no button's work is running (the page sets body[data-busy] meanwhile). */
export const settled = (page) => page.waitForFunction(() => !document.body.dataset.busy);

export async function click(page, selector) {
  await page.click(selector);
  await settled(page);
}

export async function fillCredentials(page, email, password = PASSWORD) {
  await page.fill('#email', email);
  await page.fill('#password', password);
}

export const text = async (page, selector) => (await page.textContent(selector)).trim();
export const isRefresh = (r) => r.method === 'POST' && r.path === '/v1/auth/refresh';

export async function expectSignedIn(page, email) {
  assert.equal(await text(page, '#status'), `signed in as ${email}`);
  assert.ok(await page.isVisible('#app'), 'the signed-in view shows');
  assert.ok(await page.isHidden('#auth-form'), 'the login form is hidden');
  assert.equal(await text(page, '#me-email'), email);
}

export async function expectSignedOut(page, status) {
  assert.match(await text(page, '#status'), status);
  assert.ok(await page.isVisible('#auth-form'), 'the login form shows');
  assert.ok(await page.isHidden('#app'), 'the signed-in view is hidden');
}

/** The sessions the page lists, as {current, id}; exactly one of them is marked as this one. */
export async function expectCurrentSessionListed(page) {
  const items = await page.$$eval('#sessions li[data-testid="session"]', (lis) =>
    lis.map((li) => ({ current: li.dataset.current === 'true', id: li.dataset.id, text: li.textContent })));
  assert.ok(items.length >= 1, 'at least this session is listed');
  const current = items.filter((s) => s.current);
  assert.equal(current.length, 1, `exactly one current session in ${JSON.stringify(items)}`);
  assert.match(current[0].text, /^this session · /);
  return items;
}

export async function authdPost(path, body) {
  return fetch(AUTHD + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** authd's refresh cookie in the browser (Playwright's URL filter would hide a Secure cookie on http://). */
export async function refreshCookies(context) {
  return (await context.cookies()).filter((c) => c.name === 'authd_refresh' && c.domain === '127.0.0.1');
}

/** The refresh token the page would use: bearer mode's last token body, cookie mode's HttpOnly cookie. */
export async function currentRefreshToken(tab, context) {
  if (tab.mode === 'bearer') return tab.lastRefreshToken();
  const cookie = (await refreshCookies(context)).at(0);
  assert.ok(cookie, 'the refresh cookie is set');
  return cookie.value;
}
