// Signing in with a hostile `next` on a portal's own host ends on this server, never on the site
// that `next` names. Every host name resolves to loopback or to nothing, so no test reaches out.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, launchBrowser, startServer } from './harness.mjs';

const PORTAL_HOST = 'support.acme.test';
let server;
let browser;
let portalBase;
before(async () => {
  server = await startServer();
  server.cli(['portal', 'set', 'default', 'host', PORTAL_HOST]);
  portalBase = `http://${PORTAL_HOST}:${new URL(server.base).port}`;
  browser = await launchBrowser([`--host-resolver-rules=MAP ${PORTAL_HOST} 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`]);
});
after(async () => {
  await browser?.close();
  server?.stop();
});

async function signIn(page) {
  await page.fill('#email', ADMIN.email);
  await page.fill('#password', ADMIN.password);
  await page.click('#password-sign-in button[type=submit]');
  await page.waitForLoadState('load');
}

test('a sign-in with a hostile next stays on the portal host', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();

  // The probe's link: a tab the browser would drop from the redirect. Refused with a message.
  const refused = await page.goto(`${portalBase}/login?next=/%09/evil.example/`);
  assert.equal(refused.status(), 400);
  assert.match(await page.textContent('body'), /control character/);

  // The same value slipped into the form: still refused, and nobody is signed in.
  await page.goto(`${portalBase}/login`);
  await page.locator('input[name=next]').evaluate((el) => { el.value = '/\t/evil.example/'; });
  await signIn(page);
  assert.equal(new URL(page.url()).host, new URL(portalBase).host);
  assert.match(await page.textContent('body'), /control character/);

  // Values that name another site without control characters: signed in, at the portal's home.
  for (const next of ['//evil.example/', '/.//evil.example/', '/\\evil.example/', 'https://evil.example/']) {
    await page.goto(`${portalBase}/login?next=${encodeURIComponent(next)}`);
    await signIn(page);
    assert.equal(page.url(), `${portalBase}/`, next);
    assert.match(await page.textContent('h1'), /Welcome, Administrator/);
    await context.clearCookies();
  }
  await context.close();
});

test('every page works under the content security policy', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`); });
  for (const path of ['/login', '/forgot', '/portal/default/login', '/manage/login']) {
    const answer = await page.goto(`${server.base}${path}`);
    assert.match(answer.headers()['content-security-policy'], /frame-ancestors 'none'/);
  }
  await page.fill('#email', ADMIN.email);
  await page.fill('#password', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.base}/manage`);
  const pages = ['/manage/agents', '/manage/customers', '/manage/departments', '/manage/settings', '/manage/portals',
    '/manage/profile', '/manage/outbox', '/manage'];
  for (const path of pages) {
    const answer = await page.goto(`${server.base}${path}`);
    assert.equal(answer.status(), 200, path);
    assert.equal(answer.headers()['cache-control'], 'no-store', path);
  }
  // The classes that replaced inline style attributes (which the policy blocks) apply.
  assert.equal(await page.locator('.card.spaced').first().evaluate((el) => getComputedStyle(el).marginTop), '16px');
  assert.deepEqual(violations, []);
  await context.close();
});
