// Deno: `deno run -A appliance/src/deno-entry.ts` (npm package `deno`) runs
// the same composition as `npm start` over the same on-disk stores: sign-in,
// tickets, the wallboard and the console answer, and a ticket survives a
// restart of the Deno process.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { ROOT, type RunningAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';
import { until } from './support/until.ts';

interface DenoAppliance {
  proc: ChildProcess;
  base: string;
  out: () => string;
  /** SIGTERM (graceful, stores closed) and wait for the exit. */
  stop(): Promise<void>;
}

const running: DenoAppliance[] = [];
let cleanup: (() => Promise<void>) | undefined;
after(async () => {
  for (const d of running) if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill('SIGKILL');
  await cleanup?.();
});

async function startDeno(dataDir: string): Promise<DenoAppliance> {
  const port = await freePort();
  const proc = spawn(
    path.join(ROOT, 'node_modules/.bin/deno'),
    ['run', '-A', 'appliance/src/deno-entry.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        BRANCHLINE_DATA_DIR: dataDir,
        BRANCHLINE_HTTP_PORT: String(port),
        BRANCHLINE_HTTPS_PORT: String(await freePort()),
        BRANCHLINE_SIP_PORT: '0',
        BRANCHLINE_SIP_TLS_PORT: '0',
        BRANCHLINE_SMTP_PORT: '0',
        BRANCHLINE_LOG_LEVEL: 'warn',
        DENO_NO_UPDATE_CHECK: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout?.on('data', (d) => {
    out += d;
  });
  proc.stderr?.on('data', (d) => {
    out += d;
  });
  const d: DenoAppliance = {
    proc,
    base: `http://127.0.0.1:${port}`,
    out: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
  running.push(d);
  await until(
    'the Deno appliance to answer /healthz',
    async () => {
      if (proc.exitCode !== null) assert.fail(`deno exited ${proc.exitCode}: ${out}`);
      const r = await fetch(`${d.base}/healthz`).catch(() => undefined);
      return r?.status === 200 ? true : undefined;
    },
    { timeoutMs: 90_000, everyMs: 200 },
  );
  return d;
}

test('under Deno the full appliance serves sign-in, tickets, the wallboard and the console, and keeps a ticket across a restart', async () => {
  const tmp = await tempDataDir('bl-deno-');
  cleanup = tmp.cleanup;
  const first = await startDeno(tmp.dir);
  const health = await fetch(`${first.base}/healthz`);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');

  const wrong = await new ApiClient(first.base).login('admin', 'not the password at all');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json['error'].code, 'IDENTITY_BAD_CREDENTIALS');
  const { admin } = await bootstrapAdmin({ base: first.base, stdout: first.out } as RunningAppliance);
  const me = await admin.request('GET', '/api/auth/me');
  assert.equal(me.status, 200);
  assert.equal(me.json['user'].username, 'admin');
  const agent = await createSignedInUser(admin, 'deno.agent', ['agent'], 'a deno agent passphrase');

  const subject = `Deno ticket ${Date.now()}`;
  const created = await agent.client.request('POST', '/api/tickets', { subject, description: 'from Deno' });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const listed = await agent.client.request('GET', '/api/tickets');
  assert.equal(listed.status, 200);
  const subjects = () => (listed.json['tickets'] as Array<{ subject: string }>).map((t) => t.subject);
  assert.ok(subjects().includes(subject), 'the new ticket is listed');

  // The WebSocket gateway (node:http upgrade under Deno's Node compatibility) greets a signed-in agent.
  const ws = new WebSocket(`${first.base.replace('http', 'ws')}/api/ws`, {
    headers: { cookie: agent.client.cookie },
  });
  const frame = await new Promise<string>((resolve, reject) => {
    ws.once('message', (m) => resolve(String(m)));
    ws.once('error', reject);
  });
  assert.ok(frame.length > 0);
  ws.close();

  const wallboard = await admin.request('GET', '/api/analytics/wallboard');
  assert.equal(wallboard.status, 200, JSON.stringify(wallboard.json));
  assert.equal(typeof wallboard.json, 'object');

  if (existsSync(path.join(ROOT, 'web/dist/console/index.html'))) {
    const page = await fetch(`${first.base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /<script[^>]+src=/);
  }

  await first.stop();
  assert.equal(first.proc.exitCode, 0, `graceful exit: ${first.out().slice(-500)}`);
  const second = await startDeno(tmp.dir);
  assert.doesNotMatch(second.out(), /initial admin password/, 'a restart is not a first run');
  const again = new ApiClient(second.base);
  assert.equal((await again.login('deno.agent', 'a deno agent passphrase')).status, 200);
  const after = await again.request('GET', '/api/tickets');
  assert.equal(after.status, 200);
  assert.ok(
    (after.json['tickets'] as Array<{ subject: string }>).some((t) => t.subject === subject),
    'the ticket is still there after a restart',
  );
  await second.stop();
});
