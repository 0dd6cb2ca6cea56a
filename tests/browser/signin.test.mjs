// A person signs in to the portal, follows "Management interface", signs in again there, and
// uses the management shell on a desktop and on a phone.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, ROOT, launchBrowser, startServer } from './harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

test('staff sign in to the portal, then separately to management', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.base}/portal/default/login`);
  await page.fill('#email', ADMIN.email);
  await page.fill('#password', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.base}/portal/default/`);
  assert.match(await page.textContent('h1'), /Welcome, Administrator/);

  // The user menu leads to the management sign-in: the portal session does not carry over.
  await page.click('.avatar-menu summary');
  await page.click('text=Management interface');
  await page.waitForURL(/\/manage\/login\?portal=default/);
  assert.match(await page.textContent('.card'), /Staff sign-in for/);
  await page.fill('#email', ADMIN.email);
  await page.fill('#password', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.base}/manage`);

  // The shell: menu on the left, actions top centre, avatar menu top right.
  const menu = await page.locator('#menu').boundingBox();
  const actions = await page.locator('#actions').boundingBox();
  const avatar = await page.locator('#avatar-menu').boundingBox();
  assert.ok(menu.x < 10 && menu.width < 400, `menu at the left: ${JSON.stringify(menu)}`);
  assert.ok(Math.abs(actions.x + actions.width / 2 - 640) < 200, `actions centred: ${JSON.stringify(actions)}`);
  assert.ok(avatar.x > 1100, `avatar at the right: ${JSON.stringify(avatar)}`);
  await page.click('#avatar-menu summary');
  for (const item of ['Profile', 'Settings', 'Sign out']) {
    assert.ok(await page.locator('#avatar-menu .dropdown').getByText(item, { exact: true }).isVisible(), item);
  }
  await page.screenshot({ path: join(ROOT, 'docs/screenshots/manage-shell-1280x800.png') });

  // Signing out of management leaves the portal session alone.
  await page.click('#avatar-menu button[type=submit]');
  await page.waitForURL(/\/manage\/login\?msg=signed-out/);
  await page.goto(`${server.base}/portal/default/`);
  assert.match(await page.textContent('h1'), /Welcome, Administrator/);
  await context.close();
});

test('the management shell works on a phone', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(`${server.base}/manage/login`);
  await page.fill('#email', ADMIN.email);
  await page.fill('#password', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.base}/manage`);
  // No horizontal scrolling, the menu folds away behind a button.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width}px wide`);
  assert.equal(await page.locator('#menu').isVisible(), false);
  await page.click('label.menu-toggle');
  assert.equal(await page.locator('#menu').isVisible(), true);
  await page.screenshot({ path: join(ROOT, 'docs/screenshots/manage-shell-390x844.png') });
  await page.locator('#menu').getByText('Agents', { exact: true }).click();
  await page.waitForURL(`${server.base}/manage/agents`);
  assert.match(await page.textContent('h1'), /Agents and administrators/);
  await context.close();
});
