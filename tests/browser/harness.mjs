// Starts the real `frontdesk` binary on a fresh SQLite file and a free loopback port, and a
// headless Debian Chromium through playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
const BIN = process.env.FRONTDESK_BIN || join(ROOT, 'target/debug/frontdesk');
export const ADMIN = { email: 'admin@example.com', password: 'Browser-Admin-Pw1' };

export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'frontdesk-browser-'));
  const env = {
    ...process.env,
    FRONTDESK_BIND: '127.0.0.1:0',
    FRONTDESK_DATABASE_URL: `sqlite://${join(dir, 'frontdesk.db')}`,
    FRONTDESK_ADMIN_EMAIL: ADMIN.email,
    FRONTDESK_ADMIN_PASSWORD: ADMIN.password,
    FRONTDESK_LOG: 'warn',
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

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}
