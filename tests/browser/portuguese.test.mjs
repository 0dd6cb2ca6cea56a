// A browser set to Brazilian Portuguese gets the sign-in pages and the pages after them in
// Portuguese, on a desktop and on a phone; the switcher turns the page to English and back
// without JavaScript.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, ROOT, launchBrowser, startServer } from './harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  server.cli(['user', 'add', '--portal', 'default', '--role', 'customer', '--email', 'ana@cliente.test', '--name', 'Ana'], 'Cliente-Secreta1!\n');
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

const SIZES = [
  { name: '1280x800', viewport: { width: 1280, height: 800 }, isMobile: false },
  { name: '390x844', viewport: { width: 390, height: 844 }, isMobile: true },
];

const shot = (page, name) => page.screenshot({ path: join(ROOT, `docs/screenshots/${name}.png`), fullPage: true });

async function assertPortuguese(page) {
  assert.equal(await page.getAttribute('html', 'lang'), 'pt-BR');
}

for (const size of SIZES) {
  test(`staff and customers sign in and work in Portuguese (${size.name})`, async () => {
    const context = await browser.newContext({ locale: 'pt-BR', viewport: size.viewport, isMobile: size.isMobile, javaScriptEnabled: false });
    const page = await context.newPage();

    await page.goto(`${server.base}/manage/login`);
    await assertPortuguese(page);
    assert.match(await page.textContent('main'), /Entrar/);
    assert.doesNotMatch(await page.textContent('main'), /Sign in|Password/);
    await shot(page, `pt-BR-manage-sign-in-${size.name}`);
    await page.fill('#email', ADMIN.email);
    await page.fill('#password', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.base}/manage`);
    await assertPortuguese(page);
    assert.match(await page.textContent('#menu', { timeout: 2000 }), /Início/);
    assert.doesNotMatch(await page.textContent('body'), /Sign out|Agents\b/);
    await shot(page, `pt-BR-manage-home-${size.name}`);

    await page.goto(`${server.base}/portal/default/login`);
    await assertPortuguese(page);
    await shot(page, `pt-BR-portal-sign-in-${size.name}`);
    await page.fill('#email', 'ana@cliente.test');
    await page.fill('#password', 'Cliente-Secreta1!');
    await page.click('#password-sign-in button[type=submit]');
    await page.waitForURL(`${server.base}/portal/default/`);
    await assertPortuguese(page);
    assert.doesNotMatch(await page.textContent('body'), /Welcome|Sign out/);
    await shot(page, `pt-BR-portal-home-${size.name}`);
    await context.close();
  });
}

test('the switcher changes the language before sign-in, without JavaScript', async () => {
  const context = await browser.newContext({ locale: 'pt-BR', javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.base}/login`);
  await assertPortuguese(page);
  await page.click('nav.language-switcher a[hreflang=en]');
  await page.waitForURL(`${server.base}/login`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('main'), /Sign in/);
  await page.click('nav.language-switcher a[hreflang=pt-BR]');
  await page.waitForURL(`${server.base}/login`);
  await assertPortuguese(page);
  await context.close();
});
