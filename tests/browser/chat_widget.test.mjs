// The chat widget embedded in a company's page served from another loopback port: a visitor on
// a phone opens it, starts a chat inside Frontdesk's iframe (no cookie needed), an agent accepts
// it and answers over their own socket, and the visitor reads the answer and writes back.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { ADMIN, ROOT, launchBrowser, startServer } from './harness.mjs';

const AGENT = { email: 'nia@desk.test', password: 'Ag3nt-Secret!x' };
const CUSTOMER = { email: 'carla@client.test', password: 'Cust0mer-Secret!' };
const shot = (page, name) => page.screenshot({ path: join(ROOT, `docs/screenshots/${name}.png`), fullPage: true });
let server;
let browser;
let shop;
let shopBase;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // The company's own site, on another port (another origin).
  shop = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>The shop</h1><script src="${server.base}/static/chat-widget.js" data-portal="default" async></script></body></html>`);
  });
  await new Promise((ok) => shop.listen(0, '127.0.0.1', ok));
  shopBase = `http://127.0.0.1:${shop.address().port}`;
  server.cli(['portal', 'set', 'default', 'chat_visitors', 'true']);
  server.cli(['portal', 'set', 'default', 'chat_embed_origins', shopBase]);
  server.cli(['user', 'add', '--portal', 'default', '--role', 'customer', '--email', CUSTOMER.email, '--name', 'Carla Customer'], `${CUSTOMER.password}\n`);
  server.cli(['user', 'add', '--portal', 'default', '--role', 'agent', '--email', AGENT.email, '--name', 'Nia Agent'], `${AGENT.password}\n`);
  const admin = await (await browser.newContext()).newPage();
  await signInManage(admin, ADMIN);
  await admin.goto(`${server.base}/manage/departments`);
  await admin.fill('#name', 'Sales');
  await admin.click('form.card button[type=submit]');
  await admin.waitForSelector('#departments');
  await admin.goto(`${server.base}/manage/agents`);
  await admin.click('text=Nia Agent');
  await admin.check('input[name=perm][value=answer_chats]');
  await admin.check('input[name=department] >> nth=0');
  await admin.click('#agent-form button[type=submit]');
  await admin.waitForURL(/msg=saved/);
  await admin.context().close();
});

after(async () => {
  await browser?.close();
  server?.stop();
  shop?.close();
});

async function signInManage(page, who) {
  await page.goto(`${server.base}/manage/login`);
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.base}/manage`);
}

/** The agent says something over their socket (from a management page, with its cookie). */
async function agentSays(agent, chatId, frames) {
  const url = `${server.base.replace('http://', 'ws://')}/manage/chats/${chatId}/socket`;
  await agent.evaluate(({ url, frames }) => new Promise((ok, fail) => {
    const socket = new WebSocket(url);
    socket.onopen = () => frames.forEach((f) => socket.send(JSON.stringify(f)));
    socket.onmessage = (e) => { if (JSON.parse(e.data).type === 'ack') { socket.close(); ok(); } };
    socket.onerror = () => fail(new Error('agent socket failed'));
  }), { url, frames });
}

async function post(page, path, form) {
  const csrf = (await page.context().cookies()).find((c) => c.name === 'fd_csrf').value;
  const answer = await page.request.post(`${server.base}${path}`, { form: { csrf, ...form }, maxRedirects: 0 });
  assert.ok(answer.status() < 400, `${path}: ${answer.status()}`);
}

test('a visitor chats through the widget on another site, on a phone', async () => {
  const agent = await (await browser.newContext()).newPage();
  await signInManage(agent, AGENT);
  await post(agent, '/manage/presence', { channel: 'chat', state: 'available' });

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const visitor = await phone.newPage();
  await visitor.goto(`${shopBase}/`);
  await visitor.click('[data-frontdesk-chat=button]');
  const frame = visitor.frameLocator('iframe[data-frontdesk-chat=frame]');
  await frame.locator('#name').fill('Vera Visitor');
  await frame.locator('#email').fill('vera@visitor.test');
  await frame.locator('#message').fill('Do you ship to Lisbon?');
  await frame.locator('#chat-embed-start button[type=submit]').click();
  await frame.locator('#chat-messages >> text=Do you ship to Lisbon?').waitFor();
  const width = await visitor.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the shop with the widget open is ${width}px wide`);

  const embedded = visitor.frames().find((f) => f.url().includes('/chat/embed'));
  const chatId = await embedded.evaluate(() => JSON.parse(sessionStorage.getItem('frontdesk-widget:default')).chat_id);
  assert.ok(chatId > 0);
  await post(agent, `/manage/presence/offers/${chatId}/accept`, {});
  await frame.locator('#chat-status >> text=Nia Agent').waitFor();

  // The agent answers over the agent socket, from a management page (their session's cookie).
  const wsBase = server.base.replace('http://', 'ws://');
  await agent.evaluate(({ url }) => new Promise((ok, fail) => {
    const socket = new WebSocket(url);
    socket.onopen = () => socket.send(JSON.stringify({ type: 'send', client_id: 'agent-1', body: 'Yes, in three days.' }));
    socket.onmessage = (e) => { if (JSON.parse(e.data).type === 'ack') { socket.close(); ok(); } };
    socket.onerror = () => fail(new Error('agent socket failed'));
  }), { url: `${wsBase}/manage/chats/${chatId}/socket` });
  await frame.locator('#chat-messages >> text=Yes, in three days.').waitFor();
  await shot(visitor, 'chat-widget-390x844');

  await frame.locator('#chat-text').fill('Great, thanks!');
  await frame.locator('#chat-compose button[type=submit]').click();
  await frame.locator('#chat-messages li[data-seq] >> text=Great, thanks!').waitFor();
  assert.equal(await frame.locator('#chat-messages li.pending').count(), 0, 'every message acknowledged');

  // The visitor ends the chat and rates it, still inside the iframe.
  await frame.locator('#chat-embed-end').click();
  await frame.locator('#chat-embed-after').waitFor();
  await frame.locator('#chat-embed-after input[name=rating][value="5"]').check();
  await frame.locator('#chat-embed-after button[type=submit]').click();
  await frame.locator('#chat-embed-done >> text=Thank you').waitFor();
  await phone.close();
  await agent.context().close();
});

test('a customer chats from the portal: live status, messages, typing, then ends and rates', async () => {
  const agent = await (await browser.newContext()).newPage();
  await signInManage(agent, AGENT);
  await post(agent, '/manage/presence', { channel: 'chat', state: 'available' });
  for (const [size, label] of [[{ width: 390, height: 844 }, '390x844'], [{ width: 1280, height: 800 }, '1280x800']]) {
    const context = await browser.newContext({ viewport: size });
    const page = await context.newPage();
    await page.goto(`${server.base}/portal/default/login`);
    await page.fill('#email', CUSTOMER.email);
    await page.fill('#password', CUSTOMER.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.base}/portal/default/`);
    await page.click('.portal-menu >> text=Chat');
    await page.selectOption('#department', { label: 'Sales' });
    await page.fill('#message', `My order has not arrived (${label})`);
    await page.click('#chat-start button[type=submit]');
    await page.waitForURL(/\/portal\/default\/chats\/\d+$/);
    const chatId = Number(page.url().split('/').pop());
    await post(agent, `/manage/presence/offers/${chatId}/accept`, {});
    await page.locator('#chat-status >> text=Nia Agent').waitFor();
    await agentSays(agent, chatId, [{ type: 'typing' }, { type: 'send', client_id: `a-${label}`, body: 'Let me look.' }]);
    await page.locator('#chat-messages >> text=Let me look.').waitFor();
    await page.fill('#chat-text', 'Thank you!');
    await page.press('#chat-text', 'Enter');
    await page.locator('#chat-messages li[data-seq] >> text=Thank you!').waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= size.width, `the chat page is ${width}px wide`);
    await shot(page, `chat-portal-${label}`);
    await page.click('.chat-end-form button[type=submit]');
    await page.locator('#chat-rating').waitFor();
    await page.check('#chat-rating input[value="4"]');
    await page.click('#chat-rating button[type=submit]');
    await page.locator('#chat-rated').waitFor();
    await context.close();
  }
  await agent.context().close();
});
