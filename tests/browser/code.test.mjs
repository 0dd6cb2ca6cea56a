// A customer signs in to their portal with a one-time code that arrives by email.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startServerWithMail, startSmtp } from './harness.mjs';

let smtp;
let server;
let browser;
before(async () => {
  smtp = await startSmtp();
  server = await startServerWithMail(smtp);
  server.cli(['user', 'add', '--portal', 'default', '--role', 'customer', '--email', 'lu@client.test', '--name', 'Lu'], 'Cust0mer-Secret!\n');
  server.cli(['portal', 'set', 'default', 'customer_signin', 'email_code']);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server?.stop();
  smtp?.stop();
});

test('a customer signs in with a code sent by email', async () => {
  const page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
  await page.goto(`${server.base}/portal/default/login`);
  assert.equal(await page.locator('#password-sign-in').count(), 0, 'password sign-in is off');
  await page.fill('#identity', 'lu@client.test');
  await page.click('#code-sign-in button[type=submit]');
  await page.waitForSelector('#code-sent');
  assert.match(await page.textContent('#code-sent'), /6-digit code by email/);

  const email = await smtp.waitFor('To: lu@client.test');
  const code = email.match(/\n(\d{6})\r?\n/)[1];
  await page.fill('#code', code);
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.base}/portal/default/`);
  assert.match(await page.textContent('h1'), /Welcome, Lu/);
});
