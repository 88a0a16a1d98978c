// Issue 12: `npm ci && npm start` on a fresh clone serves a working console.
// The clone is of the committed HEAD; its node_modules are the repo's (symlinked:
// `npm ci --offline` here took 1 min 54 s and then failed on an uncached tarball),
// so what is proven is that `npm start` alone builds and serves web/dist.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile as execFileCb, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { ROOT } from './support/appliance.ts';
import { launchChromium } from './support/browser.ts';
import { freePort } from './support/ports.ts';
import { until } from './support/until.ts';

const execFile = promisify(execFileCb);
let tmp: string;
let clone: string;
let proc: ChildProcess | undefined;
let out = '';
let browser: Browser | undefined;
let httpPort: number;
let httpsPort: number;

/** GET with an exact Accept-Encoding (fetch would add its own and decode). */
function rawGet(url: string, acceptEncoding: string): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: String(res.statusCode), ...res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function stopApp(): Promise<void> {
  const p = proc;
  proc = undefined;
  if (!p?.pid || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  // npm → sh → node: signal the whole group `npm start` leads.
  process.kill(-p.pid, 'SIGTERM');
  const t = setTimeout(() => process.kill(-(p.pid ?? 0), 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'bl-clone-'));
  clone = path.join(tmp, 'branchline');
  await execFile('git', ['clone', '-q', ROOT, clone]);
  for (const dir of ['', 'appliance', 'web', 'sync']) {
    const nm = path.join(ROOT, dir, 'node_modules');
    if (existsSync(nm)) await symlink(nm, path.join(clone, dir, 'node_modules'));
  }
});

after(async () => {
  await stopApp();
  await browser?.close();
  await rm(tmp, { recursive: true, force: true });
});

test('npm start on a fresh clone builds the console, and Chromium gets a login form with compressed, immutable JS', async () => {
  assert.equal(existsSync(path.join(clone, 'web/dist')), false, 'a fresh clone has no built console');
  httpPort = await freePort();
  httpsPort = await freePort();
  proc = spawn('npm', ['start'], {
    cwd: clone,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      BRANCHLINE_DATA_DIR: path.join(tmp, 'data'),
      BRANCHLINE_HTTP_PORT: String(httpPort),
      BRANCHLINE_HTTPS_PORT: String(httpsPort),
      BRANCHLINE_SIP_PORT: '0',
      BRANCHLINE_SIP_TLS_PORT: '0',
      BRANCHLINE_SMTP_PORT: '0',
    },
  });
  proc.stdout?.on('data', (d) => {
    out += d;
  });
  proc.stderr?.on('data', (d) => {
    out += d;
  });
  const base = `http://127.0.0.1:${httpPort}`;
  await until(
    '/healthz 200 from npm start in the clone',
    async () => {
      if (proc?.exitCode !== null)
        throw new Error(`npm start exited (${proc?.exitCode}): ${out.slice(-3000)}`);
      const r = await fetch(`${base}/healthz`).catch(() => undefined);
      return r?.status === 200 ? true : undefined;
    },
    { timeoutMs: 240_000, everyMs: 250 },
  );
  assert.match(out, /console-build: web\/dist\/console\/index\.html is missing: building the console/);
  assert.ok(
    existsSync(path.join(clone, 'web/dist/console/index.html')),
    'npm start built web/dist in the clone',
  );

  browser = await launchChromium();
  const page = await (await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' })).newPage();
  const scripts: Array<{ url: string; encoding: string | undefined; cache: string | undefined }> = [];
  page.on('response', async (r) => {
    if (r.request().resourceType() !== 'script') return;
    const h = await r.allHeaders();
    scripts.push({ url: r.url(), encoding: h['content-encoding'], cache: h['cache-control'] });
  });
  const nav = await page.goto(`https://127.0.0.1:${httpsPort}/`);
  assert.equal(nav?.status(), 200);
  await page.getByTestId('login-username').waitFor({ state: 'visible', timeout: 30_000 });
  assert.ok(await page.getByTestId('login-password').isVisible());
  assert.ok(await page.getByTestId('login-submit').isVisible());
  assert.ok(scripts.length > 0, 'the page loaded its JS');
  for (const s of scripts) {
    assert.match(s.encoding ?? '', /^(br|gzip)$/, `${s.url} compressed on the wire`);
    assert.equal(s.cache, 'public, max-age=31536000, immutable', s.url);
  }

  // The printed one-time password signs in through this console (forced change follows).
  const password = /initial admin password:\s*(\S+)/.exec(out)?.[1] ?? '';
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('pw-new').waitFor({ state: 'visible', timeout: 30_000 });

  const js = new URL(scripts[0]?.url ?? '').pathname;
  const br = await rawGet(`${base}${js}`, 'br');
  assert.equal(br['content-encoding'], 'br');
  assert.equal(br['vary'], 'Accept-Encoding');
  assert.equal(br['cache-control'], 'public, max-age=31536000, immutable');
  const gz = await rawGet(`${base}${js}`, 'gzip');
  assert.equal(gz['content-encoding'], 'gzip');
  const plain = await rawGet(`${base}${js}`, 'identity');
  assert.equal(plain['content-encoding'], undefined);
  const index = await rawGet(`${base}/`, 'br, gzip');
  assert.equal(index['cache-control'], 'no-cache');
  const widget = await rawGet(`${base}/widget/widget.js`, 'br');
  assert.equal(widget['content-encoding'], 'br');
  await stopApp();
});

test('build-image.sh on the clone builds the console and ships web/dist in slot a', async () => {
  await rm(path.join(clone, 'web/dist'), { recursive: true, force: true });
  const image = path.join(tmp, 'image.tar.gz');
  await execFile('bash', [path.join(clone, 'firmware-scripts/build-image.sh'), '--out', image, '--no-npm'], {
    cwd: clone,
    maxBuffer: 64 << 20,
  });
  const list = (await execFile('tar', ['-tzf', image], { maxBuffer: 64 << 20 })).stdout;
  for (const p of [
    './opt/branchline/slots/a/web/dist/console/index.html',
    './opt/branchline/slots/a/web/dist/widget/widget.js.br',
    './opt/branchline/slots/a/web/dist/.build-stamp',
    './opt/branchline/slots/a/scripts/console-build.mjs',
  ]) {
    assert.ok(list.includes(`${p}\n`), `image holds ${p}`);
  }
  assert.match(list, /slots\/a\/web\/dist\/console\/assets\/index-[\w-]+\.js\.br\n/);
});
