// An administrator invites an agent; the agent opens the link from the real email, sets a
// password on the page that shows the policy, and signs in for the first time.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, launchBrowser, startServerWithMail, startSmtp } from './harness.mjs';

let smtp;
let server;
let browser;
before(async () => {
  smtp = await startSmtp();
  server = await startServerWithMail(smtp, { FRONTDESK_MAIL_FROM: 'Help Desk <help@frontdesk.test>' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server?.stop();
  smtp?.stop();
});

test('an invited agent sets a password from the email link and signs in', async () => {
  const admin = await (await browser.newContext()).newPage();
  await admin.goto(`${server.base}/manage/login`);
  await admin.fill('#email', ADMIN.email);
  await admin.fill('#password', ADMIN.password);
  await admin.click('button[type=submit]');
  await admin.waitForURL(`${server.base}/manage`);
  await admin.click('#menu >> text=Agents');
  await admin.fill('#add-agent #email', 'nia@example.com');
  await admin.fill('#add-agent #name', 'Nia Agent');
  await admin.click('#add-agent button[type=submit]');
  await admin.waitForURL(/\/manage\/agents\/\d+\?msg=invited/);
  assert.match(await admin.textContent('.notice'), /invitation to set a password has been sent/);

  const email = await smtp.waitFor('To: nia@example.com');
  const link = email.match(/https?:\/\/\S+\/manage\/password\/[A-Za-z0-9_-]{43}/)[0];

  const agent = await (await browser.newContext()).newPage();
  await agent.goto(link);
  assert.match(await agent.textContent('h1'), /Set your password/);
  assert.match(await agent.textContent('#password-rules'), /Not the characters & or #/);
  await agent.fill('#new_password', 'Weak#1');
  await agent.fill('#confirm_password', 'Weak#1');
  await agent.click('button[type=submit]');
  assert.match(await agent.textContent('.errors'), /must not contain & or #/);
  await agent.fill('#new_password', 'Nia-First-Pass-9');
  await agent.fill('#confirm_password', 'Nia-First-Pass-9');
  await agent.click('button[type=submit]');
  await agent.waitForURL(/\/manage\/login\?msg=password-set/);
  await agent.fill('#email', 'nia@example.com');
  await agent.fill('#password', 'Nia-First-Pass-9');
  await agent.click('button[type=submit]');
  await agent.waitForURL(`${server.base}/manage`);
  assert.match(await agent.textContent('.avatar-menu .who'), /Nia Agent/);
});
