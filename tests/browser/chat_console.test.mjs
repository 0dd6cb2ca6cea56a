// The agents' side of chat in Chromium: two agents on one ticket see each other and who is
// writing (collision warning); an agent on a phone-sized window gets a customer's chat on the
// Chats page live, accepts it, answers, and ends it. Pictures go to the temp folder (and, with
// FRONTDESK_SCREENSHOTS set, to docs/screenshots) for a look.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN, ROOT, launchBrowser, startServer } from './harness.mjs';

const CUSTOMER = { email: 'rui@client.test', password: 'Cust0mer-Secret!' };
const BO = { email: 'bo@desk.test', password: 'B0-Agent-Secret!' };
const shots = process.env.FRONTDESK_SCREENSHOTS ? join(ROOT, 'docs/screenshots') : tmpdir();

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  server.cli(['user', 'add', '--portal', 'default', '--role', 'customer', '--email', CUSTOMER.email, '--name', 'Rui Customer'], `${CUSTOMER.password}\n`);
  server.cli(['user', 'add', '--portal', 'default', '--role', 'admin', '--email', BO.email, '--name', 'Bo Agent'], `${BO.password}\n`);
});
after(async () => {
  await browser?.close();
  server?.stop();
});

async function signIn(page, who) {
  await page.goto(`${server.base}/manage/login`);
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.base}/manage`);
}

async function signInPortal(page, who) {
  await page.goto(`${server.base}/portal/default/login`);
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.base}/portal/default/`);
}

// The header's switch: available for chats, then back on the Chats page to wait for offers.
async function availableForChats(page) {
  await page.goto(`${server.base}/manage/chats`);
  await page.click('#presence-menu summary');
  await page.locator('form.presence-switch[data-channel="chat"] button[value="available"]').click();
  await page.waitForLoadState();
  await page.goto(`${server.base}/manage/chats`);
}

test('two agents on a ticket, then a chat answered from a phone', async () => {
  const ana = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await signIn(ana, ADMIN);
  await ana.goto(`${server.base}/manage/departments`);
  await ana.fill('#name', 'Support');
  await ana.click('form.card button[type=submit]');
  await ana.waitForSelector('#departments');
  // Bo answers the department's chats.
  await ana.goto(`${server.base}/manage/agents`);
  await ana.click('a:has-text("Bo Agent")');
  await ana.check('input[name="department"]');
  await ana.click('form.card button[type=submit]');
  const bo = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
  await signIn(bo, BO);

  const customer = await (await browser.newContext()).newPage();
  await signInPortal(customer, CUSTOMER);
  await customer.goto(`${server.base}/portal/default/tickets/new`);
  await customer.fill('#subject', 'Printer jams');
  await customer.fill('#message', 'It started today.');
  await customer.click('#new-ticket button[type=submit]');
  await customer.waitForURL(/msg=created/);

  // Collision warning: each sees the other, and Ana sees Bo writing.
  await ana.goto(`${server.base}/manage/tickets/1001`);
  await bo.goto(`${server.base}/manage/tickets/1001`);
  await ana.waitForSelector('#ticket-viewers:not([hidden]) li:has-text("Bo Agent")');
  await bo.waitForSelector('#ticket-viewers:not([hidden]) li:has-text("Admin")');
  await bo.fill('#message', 'Have you tried');
  await bo.dispatchEvent('#message', 'input');
  await ana.waitForSelector('#ticket-viewers li.writing:has-text("Bo Agent")');
  await ana.screenshot({ path: join(shots, 'manage-ticket-viewers-1280x800.png') });
  await bo.fill('#message', '');
  await bo.dispatchEvent('#message', 'input');
  await ana.waitForSelector('#ticket-viewers li:not(.writing):has-text("Bo Agent")');
  await bo.goto(`${server.base}/manage`);
  await ana.waitForSelector('#ticket-viewers', { state: 'hidden' });

  // Bo becomes available for chats and waits on the Chats page; the customer starts a chat.
  await availableForChats(bo);
  await customer.goto(`${server.base}/portal/default/chat`);
  await customer.fill('#message', 'My printer is on fire');
  await customer.click('#chat-start button[type=submit]');
  await customer.waitForSelector('#chat');

  await bo.waitForSelector('#chat-offers li.offer:has-text("Rui Customer")');
  await bo.screenshot({ path: join(shots, 'manage-chats-390x844.png'), fullPage: true });
  await bo.click('#chat-offers button.accept');
  await bo.waitForURL(/\/manage\/chats\/\d+$/);
  await bo.waitForSelector('#chat-messages li:has-text("My printer is on fire")');
  await bo.fill('#message', 'Unplug it, please.');
  await bo.press('#message', 'Enter');
  await customer.waitForSelector('#chat-messages li.from-agent:has-text("Unplug it, please.")');
  await customer.fill('#chat-text', 'Done, thanks');
  await customer.press('#chat-text', 'Enter');
  await bo.waitForSelector('#chat-messages li.from-customer:has-text("Done, thanks")');
  const width = await bo.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the chat page fits a phone (${width} px)`);
  await bo.screenshot({ path: join(shots, 'manage-chat-390x844.png'), fullPage: true });

  await bo.click('#end-chat button');
  await bo.waitForURL(/done=ended/);
  assert.match(await bo.textContent('#chat-done'), /ended/);

  // The customer ends the next chat while Bo has it open: his page says so and offers no form.
  await customer.goto(`${server.base}/portal/default/chat`);
  await customer.fill('#message', 'One more thing');
  await customer.click('#chat-start button[type=submit]');
  await customer.waitForSelector('#chat');
  await bo.waitForSelector('#chat-offers li.offer:has-text("Rui Customer")');
  await bo.click('#chat-offers button.accept');
  await bo.waitForSelector('#chat-compose');
  await customer.click('.chat-end-form button');
  await bo.waitForSelector('#chat-state:has-text("Ended")');
  assert.equal(await bo.locator('#chat-compose').count(), 0);
});

// A chat taken from an agent while one of their tabs still shows it (here moved to another
// department from their other tab; as well a laptop that slept while its chats went back to
// the queue): that tab says the chat is no longer theirs and stops, rather than try its socket
// again forever under "connection lost". Cy is an agent, not an administrator, who could read
// along any chat.
test('a chat moved away from an agent: the tab still showing it says so and stops', async () => {
  const CY = { email: 'cy@desk.test', password: 'Cy-Ag3nt-Secret!' };
  server.cli(['user', 'add', '--portal', 'default', '--role', 'agent', '--email', CY.email, '--name', 'Cy Agent'], `${CY.password}\n`);
  const ana = await (await browser.newContext()).newPage();
  await signIn(ana, ADMIN);
  await ana.goto(`${server.base}/manage/departments`);
  await ana.fill('#name', 'Billing');
  await ana.click('form.card button[type=submit]');
  await ana.waitForSelector('#departments:has-text("Billing")');
  await ana.goto(`${server.base}/manage/agents`);
  await ana.click('text=Cy Agent');
  await ana.check('input[name=perm][value=answer_chats]');
  await ana.check('label.check:has-text("Billing") input[name=department]');
  await ana.click('#agent-form button[type=submit]');
  await ana.waitForURL(/msg=saved/);

  const cy = await (await browser.newContext()).newPage();
  await signIn(cy, CY);
  await availableForChats(cy);
  const customer = await (await browser.newContext()).newPage();
  await signInPortal(customer, CUSTOMER);
  await customer.goto(`${server.base}/portal/default/chat`);
  await customer.selectOption('#department', { label: 'Billing' });
  await customer.fill('#message', 'About my invoice');
  await customer.click('#chat-start button[type=submit]');
  await customer.waitForSelector('#chat');
  await cy.waitForSelector('#chat-offers li.offer:has-text("Rui Customer")');
  await cy.click('#chat-offers button.accept');
  await cy.waitForURL(/\/manage\/chats\/\d+$/);

  // The same chat in a second tab, whose chat sockets are counted (not the header's).
  const other = await cy.context().newPage();
  await other.addInitScript(() => {
    const Real = window.WebSocket;
    window.socketsOpened = 0;
    window.WebSocket = function (...args) {
      if (/\/manage\/chats\/\d+\/socket/.test(String(args[0]))) window.socketsOpened += 1;
      return new Real(...args);
    };
    Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3, prototype: Real.prototype });
  });
  await other.goto(cy.url());
  await other.waitForSelector('#chat-messages li:has-text("About my invoice")');
  await other.waitForFunction(() => window.socketsOpened === 1);

  await cy.selectOption('#transfer-department-choice', { label: 'Support' });
  await cy.click('#transfer-department button[type=submit]');
  await cy.waitForURL(/done=transferred/);
  await other.waitForSelector('#chat[data-signed-out]');
  assert.equal(await other.textContent('#chat-offline'), 'This chat is no longer assigned to you.');
  const opened = await other.evaluate(() => window.socketsOpened);
  await other.waitForTimeout(4000);
  assert.equal(await other.evaluate(() => window.socketsOpened), opened, 'no socket tried again');
  assert.ok(opened <= 2, `the tab tried once more, to ask why, not ${opened - 1} times`);
  assert.equal(await other.textContent('#chat-offline'), 'This chat is no longer assigned to you.');
});
