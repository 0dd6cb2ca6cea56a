// Writing the knowledge base in Chromium: an administrator makes a category in two languages,
// drafts an article with an image (uploaded with the form, then placed in the text by its line),
// sees it in the preview, publishes, changes and publishes again, compares the first revision
// with the current one and restores it. Screenshots at 1280x800 and 390x844; on a phone no page
// scrolls sideways.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, ROOT, launchBrowser, startServer } from './harness.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 800 } };
// A one-pixel PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

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

const shot = (page, name) => page.screenshot({ path: join(ROOT, `docs/screenshots/${name}.png`), fullPage: true });

/** The page at `url` on a phone, with the same session: it must fit the screen. */
async function onPhone(context, url, name) {
  const phone = await browser.newContext({ ...PHONE, storageState: await context.storageState() });
  const page = await phone.newPage();
  await page.goto(url);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${name} is ${width}px wide on a phone`);
  await shot(page, `${name}-390x844`);
  await phone.close();
}

test('an editor drafts with an image, publishes, compares revisions and restores one', async () => {
  const context = await browser.newContext(DESKTOP);
  const admin = await context.newPage();
  await admin.goto(`${server.base}/manage/login`);
  await admin.fill('#email', ADMIN.email);
  await admin.fill('#password', ADMIN.password);
  await admin.click('button[type=submit]');
  await admin.waitForURL(`${server.base}/manage`);
  await admin.click('#menu >> text=Knowledge base');
  await admin.waitForURL(`${server.base}/manage/kb`);

  await admin.goto(`${server.base}/manage/kb/categories`);
  await admin.fill('#name_en', 'Printing');
  await admin.fill('#name_pt', 'Impressão');
  await admin.click('#new-category button[type=submit]');
  await admin.waitForSelector('#categories >> text=Impressão');
  await onPhone(context, `${server.base}/manage/kb/categories`, 'manage-kb-categories');

  // A draft with an image: the editor offers its Markdown line, which goes in the text.
  await admin.goto(`${server.base}/manage/kb`);
  await admin.click('#new-article');
  await admin.fill('#title', 'Clearing a paper jam');
  await admin.fill('#body', 'Open tray 2.\n\nPull the sheet out gently.');
  await admin.setInputFiles('#files', { name: 'tray.png', mimeType: 'image/png', buffer: PNG });
  await admin.click('#save-draft');
  await admin.waitForSelector('#article-files');
  const line = (await admin.textContent('#article-files code.copy')).trim();
  assert.match(line, /^!\[tray\.png\]\(\d+\/files\/\d+\)$/);
  await admin.fill('#body', `Open tray 2.\n\n${line}\n\nPull the sheet out gently.`);
  await admin.click('#save-draft');
  await admin.waitForURL(/msg=kb-article-saved/);
  const loaded = await admin.locator('#preview img').evaluate((img) => img.complete && img.naturalWidth === 1);
  assert.ok(loaded, 'the preview shows the uploaded image');
  const articleUrl = admin.url().split('?')[0];

  await admin.click('#publish');
  await admin.waitForURL(/msg=kb-article-published/);
  await admin.fill('#body', `Open tray 2 and lift the green lever.\n\n${line}\n\nPull the sheet out gently.`);
  await admin.click('#publish');
  await admin.waitForURL(/msg=kb-article-published/);
  await shot(admin, 'manage-kb-article-1280x800');
  await onPhone(context, articleUrl, 'manage-kb-article');
  await admin.goto(`${server.base}/manage/kb`);
  await shot(admin, 'manage-kb-articles-1280x800');
  await onPhone(context, `${server.base}/manage/kb`, 'manage-kb-articles');

  // The first revision against the current one, then restored as revision 3.
  await admin.goto(`${articleUrl}/revisions`);
  await admin.click('#revision-1 a');
  const removed = await admin.textContent('#diff .removed');
  const added = await admin.textContent('#diff .added');
  assert.match(removed, /^- Open tray 2\.$/);
  assert.match(added, /^\+ Open tray 2 and lift the green lever\.$/);
  await shot(admin, 'manage-kb-revision-1280x800');
  await onPhone(context, admin.url(), 'manage-kb-revision');
  await admin.click('#restore button');
  await admin.waitForURL(/msg=kb-article-restored/);
  assert.equal((await admin.inputValue('#body')).split('\n')[0], 'Open tray 2.');
  await admin.goto(`${articleUrl}/revisions`);
  assert.match(await admin.textContent('#revision-3'), /restores revision 1/);
});
