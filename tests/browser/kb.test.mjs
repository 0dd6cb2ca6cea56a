// The knowledge base in Chromium, as its two users meet it: an administrator writes an article in
// management and publishes it; a customer starts a ticket, sees the article suggested under the
// subject while typing, opens it, and says it helped; the administrator sees the vote. The
// article page and the new-ticket form must not scroll sideways on a phone.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, launchBrowser, startServer } from './harness.mjs';

const CUSTOMER = { email: 'ana@client.test', password: 'Cust0mer-Secret!' };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  server.cli(['user', 'add', '--portal', 'default', '--role', 'customer', '--email', CUSTOMER.email, '--name', 'Ana Customer'], `${CUSTOMER.password}\n`);
});
after(async () => {
  await browser?.close();
  server?.stop();
});

async function signInToManagement(page) {
  await page.goto(`${server.base}/manage/login`);
  await page.fill('#email', ADMIN.email);
  await page.fill('#password', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.base}/manage`);
}

async function publishArticle(admin) {
  await admin.goto(`${server.base}/manage/kb/categories`);
  await admin.fill('#name_en', 'Printing');
  await admin.click('#new-category button[type=submit]');
  await admin.waitForSelector('#categories');

  await admin.goto(`${server.base}/manage/kb/articles/new`);
  await admin.fill('#title', 'Clearing a paper jam in tray 2');
  await admin.fill('#body', 'Open **tray 2**, pull the sheet out gently, and close the tray.\n\n<script>alert(1)</script>');
  await admin.selectOption('#visibility', 'customers');
  await admin.click('#publish');
  await admin.waitForURL(/\/manage\/kb\/articles\/\d+/);
  return admin.url().match(/articles\/(\d+)/)[1];
}

async function assertNoSidewaysScroll(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${what} is ${width}px wide on a phone`);
}

test('a customer typing a subject is offered the article, opens it and votes; the agent sees the vote', async () => {
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await signInToManagement(admin);
  await admin.goto(`${server.base}/manage/departments`);
  await admin.fill('#name', 'Support');
  await admin.click('form.card button[type=submit]');
  await admin.waitForSelector('#departments');
  const articleId = await publishArticle(admin);

  const context = await browser.newContext(PHONE);
  const customer = await context.newPage();
  await customer.goto(`${server.base}/portal/default/login`);
  await customer.fill('#email', CUSTOMER.email);
  await customer.fill('#password', CUSTOMER.password);
  await customer.click('button[type=submit]');
  await customer.waitForURL(`${server.base}/portal/default/`);

  await customer.goto(`${server.base}/portal/default/tickets/new`);
  await customer.locator('#subject').pressSequentially('paper jams', { delay: 40 });
  const suggestion = customer.locator('#kb-suggestions li a');
  await suggestion.first().waitFor({ state: 'visible' });
  assert.equal(await suggestion.first().textContent(), 'Clearing a paper jam in tray 2');
  await assertNoSidewaysScroll(customer, 'the new-ticket form with suggestions');

  const [article] = await Promise.all([context.waitForEvent('page'), suggestion.first().click()]);
  await article.waitForLoadState();
  assert.equal(new URL(article.url()).pathname, `/portal/default/kb/articles/${articleId}`);
  const body = await article.textContent('#kb-article');
  assert.match(body, /pull the sheet out gently/);
  assert.ok(!(await article.content()).includes('<script>alert(1)</script>'), 'the script was removed at publication');
  await assertNoSidewaysScroll(article, 'the article page');

  await article.click('#helpful button[value=yes]');
  await article.waitForSelector('#kb-thanks');

  await admin.goto(`${server.base}/manage/kb/articles/${articleId}`);
  const counts = await admin.textContent('#helpful-counts');
  assert.match(counts, /1\D*yes/);
  assert.match(counts, /0\D*no/);
});
