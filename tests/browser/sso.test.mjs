// An administrator connects the portal to Microsoft Entra ID on its settings page; an agent then
// signs in with the "Sign in with Microsoft" button at a real OpenID Connect provider (npm
// oidc-provider laid out like Entra ID), and signs out through it.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ADMIN, ROOT, launchBrowser, startServer } from './harness.mjs';
import { startProvider } from '../oidc/provider.mjs';

const TENANT = '6e4c3a2b-1f0d-4e9c-8b7a-5d4c3b2a1f0e';
const CLIENT_ID = '0f1e2d3c-4b5a-4697-8877-665544332211';
const CLIENT_SECRET = 'browser~test.secret';

let server;
let provider;
let browser;
before(async () => {
  provider = await startProvider();
  server = await startServer({
    FRONTDESK_SECRET_KEY: 'the browser tests secret key, 32+ characters',
    FRONTDESK_ENTRA_AUTHORITY_HOSTS: provider.url,
  });
  await provider.addTenant({
    tenant: TENANT,
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [`${server.base}/auth/oidc/callback`],
      post_logout_redirect_uris: [`${server.base}/auth/oidc/signed-out`],
    }],
    // No email claim, as for many Entra ID accounts.
    accounts: [{ login: 'ana@contoso.test', oid: 'a1a1a1a1-0000-4000-8000-000000000001', name: 'Ana Silva' }],
  });
  server.cli(['user', 'add', '--portal', 'default', '--role', 'agent', '--email', 'ana@contoso.test', '--name', 'Ana Silva'], 'Agent-Passw0rd!\n');
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server?.stop();
  await provider?.close();
});

test('an administrator connects Entra ID and an agent signs in and out with Microsoft', async () => {
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await admin.goto(`${server.base}/manage/login`);
  await admin.fill('#email', ADMIN.email);
  await admin.fill('#password', ADMIN.password);
  await admin.click('button[type=submit]');
  await admin.waitForURL(`${server.base}/manage`);
  await admin.goto(`${server.base}/manage/settings`);
  assert.equal(await admin.textContent('#redirect-uri'), `${server.base}/auth/oidc/callback`);
  await admin.fill('#entra_tenant_id', TENANT);
  await admin.fill('#entra_client_id', CLIENT_ID);
  await admin.fill('#entra_client_secret', CLIENT_SECRET);
  await admin.fill('#entra_authority_host', provider.url);
  await admin.check('input[name=entra_enabled]');
  await admin.click('#settings-form button[type=submit] >> nth=-1');
  await admin.waitForURL(/\/manage\/settings\?msg=saved/);
  assert.equal(await admin.inputValue('#entra_client_secret'), '', 'the secret is never shown again');
  assert.match(await admin.getAttribute('#entra_client_secret', 'placeholder'), /stored/);
  const staffLink = await admin.textContent('#staff-link');
  await admin.context().close();

  // The agent follows the link the administrator gives, on a phone.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(staffLink);
  await page.screenshot({ path: join(ROOT, 'docs/screenshots/microsoft-sign-in-390x844.png') });
  await page.click('#microsoft-sign-in');
  await page.waitForURL(new RegExp(`^${provider.url}/${TENANT}/v2.0/interaction/`));
  await page.fill('#login', 'ana@contoso.test');
  await page.click('#sign-in');
  await page.waitForURL(`${server.base}/manage`);
  assert.match(await page.textContent('body'), /Ana Silva/);

  // Sign-out ends the session here and at the provider, then comes back to the sign-in page.
  await page.click('#avatar-menu summary');
  await page.click('#avatar-menu button[type=submit]');
  await page.waitForURL(new RegExp(`^${provider.url}/${TENANT}/v2.0/session/end`));
  await page.click('button[name=logout]');
  await page.waitForURL(`${server.base}/manage/login?portal=default&msg=signed-out`);
  assert.match(await page.textContent('.notice'), /You have signed out/);
  await page.goto(`${server.base}/manage`);
  assert.match(page.url(), /\/manage\/login/, 'no longer signed in');

  // "Forgot your password?" on this portal's page answers with the self-managed message.
  await page.goto(staffLink);
  await page.click('summary');
  await page.click('text=Forgot your password?');
  assert.equal(
    await page.textContent('#self-managed'),
    'This user belongs to a self-managed group. Contact the account administrator.',
  );
  await context.close();
});
