// Starts the real `frontdesk` binary on a fresh SQLite file and a free loopback port, and a
// headless Debian Chromium through playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
const BIN = process.env.FRONTDESK_BIN || join(ROOT, 'target/debug/frontdesk');
export const ADMIN = { email: 'admin@example.com', password: 'Browser-Admin-Pw1' };

/** A real SMTP server (tests/smtp_sink.py, aiosmtpd) writing each message to a folder. */
export async function startSmtp() {
  const dir = mkdtempSync(join(tmpdir(), 'frontdesk-smtp-'));
  const port = await freePort();
  const child = spawn('python3', [join(ROOT, 'tests/smtp_sink.py'), String(port), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((ok) => createInterface({ input: child.stdout }).once('line', ok));
  const messages = () => readdirSync(dir).filter((f) => f.endsWith('.eml')).sort()
    .map((f) => decodeQuotedPrintable(readFileSync(join(dir, f), 'utf8')));
  const waitFor = async (needle) => {
    for (let i = 0; i < 300; i++) {
      const found = messages().find((m) => m.includes(needle));
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no email containing ${needle}`);
  };
  return { port, waitFor, stop: () => { child.kill(); rmSync(dir, { recursive: true, force: true }); } };
}

function decodeQuotedPrintable(text) {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

function freePort() {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

export async function startServer(extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'frontdesk-browser-'));
  const env = {
    ...process.env,
    FRONTDESK_BIND: '127.0.0.1:0',
    FRONTDESK_DATABASE_URL: `sqlite://${join(dir, 'frontdesk.db')}`,
    FRONTDESK_ADMIN_EMAIL: ADMIN.email,
    FRONTDESK_ADMIN_PASSWORD: ADMIN.password,
    FRONTDESK_LOG: 'warn',
    ...extraEnv,
  };
  const child = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const base = await new Promise((ok, fail) => {
    child.on('exit', (code) => fail(new Error(`frontdesk exited early with ${code}`)));
    lines.on('line', (line) => {
      const m = line.match(/^Frontdesk is running at (\S+?)\/?$/);
      if (m) ok(m[1]);
    });
  });
  const cli = (args, input = '') => {
    const out = spawnSync(BIN, args, { env, input, encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`frontdesk ${args.join(' ')} failed: ${out.stderr}`);
    return out.stdout;
  };
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  return { base, cli, stop };
}

export async function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** The server with its mail going to `smtp` (a `startSmtp()` server) over plain SMTP. */
export function startServerWithMail(smtp, extraEnv = {}) {
  return startServer({
    FRONTDESK_SMTP_HOST: '127.0.0.1',
    FRONTDESK_SMTP_PORT: String(smtp.port),
    FRONTDESK_SMTP_TLS: 'none',
    ...extraEnv,
  });
}
