// A real OpenID Connect provider for Frontdesk's tests: the npm package oidc-provider, laid out
// like Microsoft Entra ID. Each tenant is its own provider at {base}/{tenant}/v2.0, with its own
// signing key, and puts Entra's `tid` and `oid` claims in the ID token.
//
// Run: node tests/oidc/provider.mjs   (prints one JSON line: {"url": "http://127.0.0.1:PORT"})
// or import { startProvider } from this file.
//
// Test control, on the same port (loopback only):
//   POST /_control/tenants  {tenant, clients: [{client_id, client_secret, redirect_uris,
//                            post_logout_redirect_uris}], accounts: [{login, oid, name, email?,
//                            username? (preferred_username when it differs from login)}]}
//   POST /_control/tamper   {tenant, kind}  makes the next ID token from that tenant's token
//                            endpoint wrong in one way: aud, iss, exp, signature, tid,
//                            other-tenant (iss and tid of another directory), nonce,
//                            unknown-key (signed by a key never published); or signed by a
//                            new key that the tenant's JWKS then lists: rotated.
//   GET  /_control/log       the requests the provider received (method, path, form fields).
//
// The sign-in page is deliberately plain: a form with the user name, "Sign in" and "Cancel".

import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Provider } from 'oidc-provider';
import * as jose from 'jose';

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(res, action, error) {
  res.statusCode = error ? 401 : 200;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(`<!doctype html><html><head><title>Sign in to your account</title></head><body>
<h1>Sign in to your account</h1>
${error ? `<p id="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
  <label for="login">Email, phone, or Skype</label>
  <input id="login" name="login" autofocus>
  <button type="submit" id="sign-in">Sign in</button>
  <button type="submit" name="cancel" value="1" id="cancel">Cancel</button>
</form></body></html>`);
}

export async function startProvider() {
  const tenants = new Map();
  const log = [];
  let base;

  function claimsOf(account, tenant) {
    const claims = {
      sub: `pairwise-${account.oid}`,
      oid: account.oid,
      tid: tenant,
      name: account.name,
      preferred_username: account.username ?? account.login,
    };
    if (account.email) claims.email = account.email;
    return claims;
  }

  async function addTenant({ tenant, clients, accounts }) {
    const mount = `/${tenant}/v2.0`;
    const issuer = `${base}${mount}`;
    const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await jose.exportJWK(privateKey)), kid: `key-${tenant}`, alg: 'RS256', use: 'sig' };
    const t = { tenant, mount, issuer, jwk, privateKey, accounts: new Map(), tamper: null, published: [] };
    for (const a of accounts ?? []) t.accounts.set(a.login.toLowerCase(), a);
    const provider = new Provider(issuer, {
      clients: clients.map((c) => ({
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        ...c,
      })),
      jwks: { keys: [jwk] },
      async findAccount(ctx, id) {
        const account = [...t.accounts.values()].find((a) => a.oid === id);
        if (!account) return undefined;
        return { accountId: id, claims: async () => claimsOf(account, tenant) };
      },
      claims: { openid: ['sub', 'tid', 'oid'], profile: ['name', 'preferred_username'], email: ['email'] },
      // Scope claims go into the ID token itself, as Entra ID does.
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
      pkce: { required: () => true },
      interactions: { url: (ctx, interaction) => `${mount}/interaction/${interaction.uid}` },
      // Consent is taken as given (an organisation's own app), as an Entra admin consent does.
      async loadExistingGrant(ctx) {
        const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
        if (grantId) return ctx.oidc.provider.Grant.find(grantId);
        const grant = new ctx.oidc.provider.Grant({
          clientId: ctx.oidc.client.clientId,
          accountId: ctx.oidc.session.accountId,
        });
        grant.addOIDCScope('openid profile email');
        await grant.save();
        return grant;
      },
      cookies: { keys: ['frontdesk-test-provider-cookie-key'] },
      ttl: { Interaction: 600, Grant: 3600, Session: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    });
    t.provider = provider;
    t.callback = provider.callback();
    tenants.set(tenant, t);
  }

  // Lets `change` rewrite the JSON body the provider is about to send.
  function rewriteJson(res, change) {
    const chunks = [];
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = (chunk) => {
      chunks.push(Buffer.from(chunk));
      return true;
    };
    res.end = (chunk) => {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk));
      (async () => {
        const out = JSON.stringify(await change(JSON.parse(Buffer.concat(chunks).toString())));
        res.setHeader('content-length', Buffer.byteLength(out));
        write(out);
        end();
      })().catch((e) => {
        res.statusCode = 500;
        end(String(e));
      });
      return res;
    };
  }

  // Rewrites the ID token in the token endpoint's answer, re-signed so that only the one
  // intended fault is wrong. `rotated` signs with a new key that the tenant then publishes (a
  // key rotation); `unknown-key` with one it never publishes.
  async function tamperIdToken(t, idToken, kind) {
    const claims = jose.decodeJwt(idToken);
    const now = Math.floor(Date.now() / 1000);
    const other = '99999999-9999-4999-8999-999999999999';
    if (kind === 'aud') claims.aud = 'some-other-application';
    if (kind === 'iss') claims.iss = `${base}/not-${t.tenant}/v2.0`;
    if (kind === 'exp') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
    if (kind === 'tid') claims.tid = other;
    if (kind === 'other-tenant') Object.assign(claims, { iss: `${base}/${other}/v2.0`, tid: other });
    if (kind === 'nonce') claims.nonce = 'not-the-nonce-that-was-sent';
    let key = t.privateKey;
    let kid = t.jwk.kid;
    if (kind === 'rotated' || kind === 'unknown-key') {
      const pair = await jose.generateKeyPair('RS256', { extractable: true });
      key = pair.privateKey;
      kid = `key-${t.tenant}-${kind}-${t.published.length}`;
      if (kind === 'rotated') {
        t.published.push({ ...(await jose.exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' });
      }
    }
    let token = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
    if (kind === 'signature') {
      const [h, p, s] = token.split('.');
      token = [h, p, s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11)].join('.');
    }
    return token;
  }

  async function control(req, res, url) {
    const json = (status, value) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && url.pathname === '/_control/log') return json(200, log);
    const input = JSON.parse((await readBody(req)) || '{}');
    if (url.pathname === '/_control/tenants') {
      await addTenant(input);
      return json(200, { issuer: `${base}/${input.tenant}/v2.0` });
    }
    if (url.pathname === '/_control/tamper') {
      const t = tenants.get(input.tenant);
      if (!t) return json(404, { error: 'no such tenant' });
      t.tamper = input.kind;
      return json(200, { ok: true });
    }
    return json(404, { error: 'unknown control' });
  }

  async function interaction(t, req, res) {
    const details = await t.provider.interactionDetails(req, res);
    const action = `${t.mount}/interaction/${details.uid}`;
    if (req.method === 'GET') return loginPage(res, action);
    const form = new URLSearchParams(await readBody(req));
    if (form.get('cancel')) {
      return t.provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
        { mergeWithLastSubmission: false },
      );
    }
    const account = t.accounts.get((form.get('login') || '').toLowerCase());
    if (!account) return loginPage(res, action, "We couldn't find an account with that username.");
    return t.provider.interactionFinished(req, res, { login: { accountId: account.oid } }, { mergeWithLastSubmission: false });
  }

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, base);
      if (url.pathname.startsWith('/_control/')) return await control(req, res, url);
      const [, tenant, version] = url.pathname.split('/');
      const t = tenants.get(tenant);
      if (!t || version !== 'v2.0') {
        res.statusCode = 404;
        return res.end('no such tenant');
      }
      const rest = url.pathname.slice(t.mount.length) || '/';
      log.push({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams) });
      if (rest.startsWith('/interaction/')) return await interaction(t, req, res);
      if (req.method === 'POST' && rest === '/token' && t.tamper) {
        const kind = t.tamper;
        t.tamper = null;
        rewriteJson(res, async (body) => ({ ...body, id_token: await tamperIdToken(t, body.id_token, kind) }));
      }
      if (req.method === 'GET' && rest === '/jwks' && t.published.length) {
        rewriteJson(res, (body) => ({ keys: [...body.keys, ...t.published] }));
      }
      // Mounted like Express does it: the provider sees its own paths, and the full one.
      req.originalUrl = req.url;
      req.url = req.url.slice(t.mount.length) || '/';
      return t.callback(req, res);
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e?.stack || e));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: base,
    addTenant,
    tamper: (tenant, kind) => {
      tenants.get(tenant).tamper = kind;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Standard output carries the address line only; the library's notices go to standard error,
  // and a reader that stops listening does not bring the provider down.
  console.log = console.info = (...args) => console.error(...args);
  process.stdout.on('error', () => {});
  const p = await startProvider();
  process.stdout.write(`${JSON.stringify({ url: p.url })}\n`);
  // Ends with its parent: the tests hold its stdin open.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
