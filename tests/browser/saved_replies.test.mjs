// Saved replies and merging in Chromium: an agent saves a reply of their own, one click on it
// puts its text, filled for the ticket, into the reply box without leaving the page; then the
// ticket is merged into the customer's other one and points at it. Pictures of the ticket page
// go to the temp folder (not docs/) for a look.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN, launchBrowser, startServer } from './harness.mjs';

const CUSTOMER = { email: 'rui@client.test', password: 'Cust0mer-Secret!' };

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  server.cli(['user', 'add', '--portal', 'default', '--role', 'customer', '--email', CUSTOMER.email, '--name', 'Rui Customer'], `${CUSTOMER.password}\n`);
});
after(async () => {
  await browser?.close();
  server?.stop();
});

async function newTicket(page, subject) {
  await page.goto(`${server.base}/portal/default/tickets/new`);
  await page.fill('#subject', subject);
  await page.fill('#message', `${subject}: it started today.`);
  await page.click('#new-ticket button[type=submit]');
  await page.waitForURL(/msg=created/);
}

test('one click inserts a saved reply filled for the ticket; a merge points at the other ticket', async () => {
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await admin.goto(`${server.base}/manage/login`);
  await admin.fill('#email', ADMIN.email);
  await admin.fill('#password', ADMIN.password);
  await admin.click('button[type=submit]');
  await admin.waitForURL(`${server.base}/manage`);
  await admin.goto(`${server.base}/manage/departments`);
  await admin.fill('#name', 'Support');
  await admin.click('form.card button[type=submit]');
  await admin.waitForSelector('#departments');

  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`${server.base}/portal/default/login`);
  await customer.fill('#email', CUSTOMER.email);
  await customer.fill('#password', CUSTOMER.password);
  await customer.click('button[type=submit]');
  await customer.waitForURL(`${server.base}/portal/default/`);
  await newTicket(customer, 'Printer jams');
  await newTicket(customer, 'Printer jams again');

  await admin.goto(`${server.base}/manage/tickets/1001`);
  await admin.click('#manage-saved-replies');
  await admin.waitForURL(`${server.base}/manage/saved-replies`);
  await admin.fill('#title', 'Jam fix');
  await admin.fill('#body', 'Hello {{customer_name}}, about #{{ticket_number}}: open tray 2.');
  await admin.click('#new-saved-reply button[type=submit]');
  await admin.waitForURL(/msg=saved-reply-saved/);

  await admin.goto(`${server.base}/manage/tickets/1001`);
  await admin.click('#saved-replies a[data-reply]');
  assert.equal(await admin.inputValue('#message'), 'Hello Rui Customer, about #1001: open tray 2.');
  assert.equal(admin.url(), `${server.base}/manage/tickets/1001`, 'the script filled the box in place');
  await admin.screenshot({ path: join(tmpdir(), 'saved-replies-ticket-1280x800.png'), fullPage: true });

  await admin.fill('#merge-into', '1002');
  await admin.click('#merge-submit');
  await admin.waitForURL(/\/manage\/tickets\/1002\?msg=ticket-merged/);
  assert.match(await admin.textContent('#thread'), /Printer jams: it started today/);
  await customer.goto(`${server.base}/portal/default/tickets/1001`);
  await customer.click('#merged-into a');
  await customer.waitForURL(`${server.base}/portal/default/tickets/1002`);
  await customer.screenshot({ path: join(tmpdir(), 'merged-portal-ticket.png'), fullPage: true });
});
