// The user's rule in Chromium: an agent answering a chat cannot sign out ("You cannot sign out
// while conversations are in progress...") and stays signed in; once the chat has ended the same
// button signs them out, and they are offline. A customer who signs out in another tab is told so
// on their chat page.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, launchBrowser, startServer } from './harness.mjs';

const CUSTOMER = { email: 'lia@client.test', password: 'Cust0mer-Secret!' };

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  server.cli(['user', 'add', '--portal', 'default', '--role', 'customer', '--email', CUSTOMER.email, '--name', 'Lia Customer'], `${CUSTOMER.password}\n`);
});
after(async () => {
  await browser?.close();
  server?.stop();
});

async function signOut(page) {
  await page.click('#avatar-menu summary');
  await page.click('#avatar-menu form[action="/manage/logout"] button');
  await page.waitForLoadState();
}

test('sign-out is refused while a chat is in progress, and works once it ended', async () => {
  const agent = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await agent.goto(`${server.base}/manage/login`);
  await agent.fill('#email', ADMIN.email);
  await agent.fill('#password', ADMIN.password);
  await agent.click('button[type=submit]');
  await agent.waitForURL(`${server.base}/manage`);
  // A department the administrator answers the chats of.
  await agent.goto(`${server.base}/manage/departments`);
  await agent.fill('#name', 'Support');
  await agent.click('form.card button[type=submit]');
  await agent.waitForSelector('#departments');
  await agent.goto(`${server.base}/manage/agents`);
  await agent.click(`a:has-text("${ADMIN.email}"), a:has-text("Admin")`);
  await agent.check('input[name="department"]');
  await agent.click('form.card button[type=submit]');
  await agent.waitForLoadState();

  await agent.goto(`${server.base}/manage/chats`);
  await agent.click('#presence-menu summary');
  await agent.locator('form.presence-switch[data-channel="chat"] button[value="available"]').click();
  await agent.waitForLoadState();
  await agent.goto(`${server.base}/manage/chats`);

  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`${server.base}/portal/default/login`);
  await customer.fill('#email', CUSTOMER.email);
  await customer.fill('#password', CUSTOMER.password);
  await customer.click('button[type=submit]');
  await customer.waitForURL(`${server.base}/portal/default/`);
  await customer.goto(`${server.base}/portal/default/chat`);
  await customer.fill('#message', 'Is anyone there?');
  await customer.click('#chat-start button[type=submit]');
  await customer.waitForSelector('#chat');

  await agent.waitForSelector('#chat-offers li.offer:has-text("Lia Customer")');
  await agent.click('#chat-offers button.accept');
  await agent.waitForURL(/\/manage\/chats\/\d+$/);
  const chatPage = agent.url();
  await agent.waitForSelector('#chat-messages li:has-text("Is anyone there?")');

  // Refused, with the rule's words, and still signed in.
  await signOut(agent);
  const refusal = await agent.textContent('body');
  assert.match(refusal, /You cannot sign out while conversations are in progress\. Finish them to leave the application\./);
  assert.match(refusal, /Lia Customer/);
  await agent.goto(`${server.base}/manage/chats`);
  assert.equal(new URL(agent.url()).pathname, '/manage/chats', 'still signed in');

  // The customer signs out in another tab: their chat page says so, hides the message box and
  // stops reconnecting (the socket would only be refused).
  const otherTab = await customer.context().newPage();
  await otherTab.goto(`${server.base}/portal/default/profile`);
  await otherTab.click('details.avatar-menu summary');
  await otherTab.click('details.avatar-menu form[action$="/logout"] button');
  await otherTab.waitForLoadState();
  await customer.waitForSelector('#chat[data-signed-out]');
  assert.equal(await customer.textContent('#chat-offline'), 'Your session has ended. Sign in again to go on chatting.');
  assert.equal(await customer.isVisible('#chat-compose'), false);
  await customer.waitForTimeout(1500);
  assert.equal(await customer.textContent('#chat-offline'), 'Your session has ended. Sign in again to go on chatting.', 'no reconnection replaced it');

  // Ending the last chat lets them sign out; they are offline and see the sign-in page.
  await agent.goto(chatPage);
  await agent.click('#end-chat button');
  await agent.waitForURL(/done=ended/);
  // A second tab of the agent's, left open on the chats: once they sign out in the first, it
  // says they receive nothing until they sign in again (and links back to it).
  const secondTab = await agent.context().newPage();
  // Counts the sockets the page opens, to see that nothing tries again once it says so.
  await secondTab.addInitScript(() => {
    const Real = window.WebSocket;
    window.socketsOpened = 0;
    window.WebSocket = function (...args) { window.socketsOpened += 1; return new Real(...args); };
    Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3, prototype: Real.prototype });
  });
  await secondTab.goto(`${server.base}/manage/chats`);
  await secondTab.waitForFunction(() => document.querySelector('#presence-dot')?.dataset.state === 'available');
  await signOut(agent);
  assert.match(new URL(agent.url()).pathname, /^\/manage\/login|^\/login|^\/$/);
  await agent.goto(`${server.base}/manage/chats`);
  assert.match(new URL(agent.url()).pathname, /login/, 'signed out');
  const notice = secondTab.locator('#signed-out-notice');
  await notice.waitFor();
  assert.equal(await notice.textContent(),
    'Your session has ended: you receive no chats or tickets until you sign in again. Sign in again');
  assert.equal(await notice.locator('a').getAttribute('href'), '/manage/login?next=%2Fmanage%2Fchats');
  assert.equal(await secondTab.getAttribute('#presence-dot', 'data-state'), 'offline');
  // The header and the chat console both stopped: no socket is tried again (the console's
  // next tries would come 1 and 3 s after its socket closed).
  const opened = await secondTab.evaluate(() => window.socketsOpened);
  await secondTab.waitForTimeout(4000);
  assert.equal(await secondTab.evaluate(() => window.socketsOpened), opened, 'no socket tried again');
});
