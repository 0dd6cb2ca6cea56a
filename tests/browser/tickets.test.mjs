// A customer submits a ticket, finds it in their list and replies, on a phone: every page fits
// the screen (no sideways scrolling), even with a long subject.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, ROOT, launchBrowser, startServer } from './harness.mjs';

const CUSTOMER = { email: 'ana@client.test', password: 'Cust0mer-Secret!' };
let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  server.cli(['user', 'add', '--portal', 'default', '--role', 'customer', '--email', CUSTOMER.email], `${CUSTOMER.password}\n`);
  const admin = await (await browser.newContext()).newPage();
  await admin.goto(`${server.base}/manage/login`);
  await admin.fill('#email', ADMIN.email);
  await admin.fill('#password', ADMIN.password);
  await admin.click('button[type=submit]');
  await admin.waitForURL(`${server.base}/manage`);
  await admin.goto(`${server.base}/manage/departments`);
  await admin.fill('#name', 'Technical support');
  await admin.click('form.card button[type=submit]');
  await admin.waitForSelector('#departments');
});
after(async () => {
  await browser?.close();
  server?.stop();
});

async function fitsTheScreen(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${what} is ${width}px wide`);
}

test('a customer submits, lists and answers a ticket on a phone', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(`${server.base}/portal/default/login`);
  await page.fill('#email', CUSTOMER.email);
  await page.fill('#password', CUSTOMER.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.base}/portal/default/`);

  await page.click('text=New ticket');
  await page.waitForURL(`${server.base}/portal/default/tickets/new`);
  await fitsTheScreen(page, 'the new ticket form');
  const subject = 'The invoice PDF for order ACMEINTERNATIONALSUBSIDIARY2026000123ABCDEFGHIJKLMNOPQRSTUV does not open at all';
  await page.fill('#subject', subject);
  await page.fill('#message', 'It says the file is damaged.\nI tried two browsers.');
  await page.click('#new-ticket button[type=submit]');
  await page.waitForURL(/\/portal\/default\/tickets\/1001\?msg=created/);
  assert.match(await page.textContent('h1'), /#1001/);
  await fitsTheScreen(page, 'the ticket');

  await page.fill('#message', 'Here is more: it happens since Monday.');
  await page.click('#reply-form button[type=submit]');
  await page.waitForURL(/msg=replied/);
  assert.match(await page.textContent('#thread'), /since Monday/);

  await page.click('text=My tickets');
  await page.waitForURL(`${server.base}/portal/default/tickets`);
  assert.match(await page.textContent('#tickets'), /#1001/);
  await fitsTheScreen(page, 'the list');
  await page.screenshot({ path: join(ROOT, 'docs/screenshots/portal-tickets-390x844.png') });
  await context.close();
});
