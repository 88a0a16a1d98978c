// Deno smoke test: the app module served by Deno 2 (npm package `deno`)
// answers /healthz and a login, with the same cookie and error contract.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, test } from 'node:test';
import { ROOT, tempDataDir } from './support/appliance.ts';
import { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';

let stop: (() => void) | undefined;
let cleanup: (() => Promise<void>) | undefined;
after(async () => {
  stop?.();
  await cleanup?.();
});

test('the app under Deno answers /healthz and a login', async () => {
  const tmp = await tempDataDir('bl-deno-');
  cleanup = tmp.cleanup;
  const port = await freePort();
  const proc = spawn(
    path.join(ROOT, 'node_modules/.bin/deno'),
    ['run', '-A', 'appliance/src/deno-entry.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        BRANCHLINE_DATA_DIR: tmp.dir,
        BRANCHLINE_HTTP_PORT: String(port),
        BRANCHLINE_LOG_LEVEL: 'warn',
        DENO_NO_UPDATE_CHECK: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  stop = () => proc.kill('SIGKILL');
  let out = '';
  proc.stdout.on('data', (d) => {
    out += d;
  });
  proc.stderr.on('data', (d) => {
    out += d;
  });
  const base = `http://127.0.0.1:${port}`;
  let health: Response | undefined;
  for (let i = 0; i < 600 && !health; i++) {
    if (proc.exitCode !== null) assert.fail(`deno exited: ${out}`);
    health = await fetch(`${base}/healthz`).catch(() => undefined);
    if (!health) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(health, `deno never answered: ${out}`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok', runtime: 'deno' });

  const password = /initial admin password: (\S+)/.exec(out)?.[1];
  assert.ok(password, 'first run printed the one-time admin password');
  const wrong = await new ApiClient(base).login('admin', 'not the password at all');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json['error'].code, 'IDENTITY_BAD_CREDENTIALS');
  const client = new ApiClient(base);
  const ok = await client.login('admin', password);
  assert.equal(ok.status, 200);
  assert.equal(ok.json['mustChangePassword'], true);
  assert.match(ok.headers.get('set-cookie') ?? '', /^__Host-bl_session=.+HttpOnly/i);
  const me = await client.request('GET', '/api/auth/me');
  assert.equal(me.status, 200);
  assert.equal(me.json['user'].username, 'admin');
});
