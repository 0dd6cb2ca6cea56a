// A ticket's whole life in Chromium: a customer submits it with an attachment; an agent finds it
// in their department's queue, opens the file, answers and resolves it; the customer sees the
// answer in the portal, and the emailed copy arrives at a real SMTP server. Screenshots of the
// four pages at 1280x800 and 390x844; on a phone no page scrolls sideways.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, ROOT, launchBrowser, startServerWithMail, startSmtp } from './harness.mjs';

const CUSTOMER = { email: 'ana@client.test', password: 'Cust0mer-Secret!' };
const AGENT = { email: 'nia@desk.test', password: 'Ag3nt-Secret!x' };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 800 } };
// A one-pixel PNG: the type is found from these bytes, not from the name.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

let smtp;
let server;
let browser;
before(async () => {
  smtp = await startSmtp();
  server = await startServerWithMail(smtp);
  browser = await launchBrowser();
  server.cli(['user', 'add', '--portal', 'default', '--role', 'customer', '--email', CUSTOMER.email, '--name', 'Ana Customer'], `${CUSTOMER.password}\n`);
  server.cli(['user', 'add', '--portal', 'default', '--role', 'agent', '--email', AGENT.email, '--name', 'Nia Agent'], `${AGENT.password}\n`);
  // The administrator makes a department, puts the agent in it and lets her answer tickets.
  const admin = await (await browser.newContext()).newPage();
  await signInManage(admin, ADMIN);
  await admin.goto(`${server.base}/manage/departments`);
  await admin.fill('#name', 'Technical support');
  await admin.click('form.card button[type=submit]');
  await admin.waitForSelector('#departments');
  await admin.goto(`${server.base}/manage/agents`);
  await admin.click('text=Nia Agent');
  await admin.check('input[name=perm][value=answer_tickets]');
  await admin.check('input[name=department] >> nth=0');
  await admin.click('#agent-form button[type=submit]');
  await admin.waitForURL(/msg=saved/);
  await admin.context().close();
});
after(async () => {
  await browser?.close();
  server?.stop();
  smtp?.stop();
});

async function signInManage(page, who) {
  await page.goto(`${server.base}/manage/login`);
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.base}/manage`);
}

async function fitsTheScreen(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${what} is ${width}px wide on a phone`);
}

const shot = (page, name) => page.screenshot({ path: join(ROOT, `docs/screenshots/${name}.png`), fullPage: true });

/** Takes the page at `url` on a phone too: it must fit the screen. */
async function onPhone(context, url, name) {
  const phone = await browser.newContext({ ...PHONE, storageState: await context.storageState() });
  const page = await phone.newPage();
  await page.goto(url);
  await fitsTheScreen(page, name);
  await shot(page, `${name}-390x844`);
  await phone.close();
}

test('a customer submits with a file, an agent answers and resolves, the customer reads the answer', async () => {
  const customerContext = await browser.newContext(DESKTOP);
  const customer = await customerContext.newPage();
  await customer.goto(`${server.base}/portal/default/login`);
  await customer.fill('#email', CUSTOMER.email);
  await customer.fill('#password', CUSTOMER.password);
  await customer.click('button[type=submit]');
  await customer.waitForURL(`${server.base}/portal/default/`);
  await customer.click('text=New ticket');
  await customer.selectOption('#department', { label: 'Technical support' });
  await customer.fill('#subject', 'The screen flickers after the update');
  await customer.fill('#message', 'Since yesterday the screen flickers.\nA photo is attached.');
  await customer.setInputFiles('input[type=file]', { name: 'screen.png', mimeType: 'image/png', buffer: PNG });
  await customer.click('#new-ticket button[type=submit]');
  await customer.waitForURL(/\/portal\/default\/tickets\/1001\?msg=created/);
  assert.match(await customer.textContent('#thread'), /screen\.png/);
  const receipt = await smtp.waitFor('[#1001]');
  assert.match(receipt, /To: .*ana@client\.test/);

  // The agent finds it in her department's queue.
  const agentContext = await browser.newContext(DESKTOP);
  const agent = await agentContext.newPage();
  await signInManage(agent, AGENT);
  await agent.click('#menu >> text=Tickets');
  await agent.click('#queues >> text=Technical support');
  await agent.waitForSelector('#tickets');
  assert.match(await agent.textContent('#tickets'), /The screen flickers after the update/);
  await shot(agent, 'manage-queue-1280x800');
  await onPhone(agentContext, agent.url(), 'manage-queue');

  await agent.click('#tickets >> text=The screen flickers after the update');
  await agent.waitForURL(/\/manage\/tickets\/1001$/);
  const download = await Promise.all([agent.waitForEvent('download'), agent.click('#thread >> text=screen.png')]);
  assert.equal(download[0].suggestedFilename(), 'screen.png');
  await agent.fill('#message', 'Please lower the refresh rate to 60 Hz; that fixes it.');
  await agent.selectOption('#then', 'resolved');
  await agent.click('#send-reply');
  await agent.waitForURL(/msg=ticket-replied/);
  assert.match(await agent.textContent('#ticket-status'), /Resolved/);
  assert.match(await agent.textContent('#history'), /changed the status from New to Resolved/);
  await shot(agent, 'manage-ticket-1280x800');
  await onPhone(agentContext, `${server.base}/manage/tickets/1001`, 'manage-ticket');
  // The dashboard counts the resolved ticket; its table and chart fit a phone too.
  await agent.goto(`${server.base}/manage`);
  await agent.waitForSelector('svg');
  await shot(agent, 'manage-dashboard-1280x800');
  await onPhone(agentContext, `${server.base}/manage`, 'manage-dashboard');

  // The customer reads the answer in the portal and in the mail.
  await customer.reload();
  assert.match(await customer.textContent('#thread'), /refresh rate to 60 Hz/);
  assert.match(await customer.textContent('#ticket-status'), /Resolved/);
  await shot(customer, 'portal-ticket-1280x800');
  await onPhone(customerContext, customer.url(), 'portal-ticket');
  await customer.goto(`${server.base}/portal/default/tickets`);
  await shot(customer, 'portal-tickets-1280x800');
  const answer = await smtp.waitFor('refresh rate to 60 Hz');
  assert.match(answer, /Subject: .*\[#1001\]/);
  assert.match(answer, /In-Reply-To: </);
  await customerContext.close();
  await agentContext.close();
});
