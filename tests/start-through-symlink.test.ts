// branchline.service starts /opt/branchline/current/appliance/src/main.ts, where
// `current` is a symlink to the active A/B slot. The entry-point check must see
// through it: comparing argv[1] with the module's own (resolved) path made the
// appliance load its modules and exit 0 without listening (found booting the image).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { ROOT, tempDataDir } from './support/appliance.ts';
import { freePort } from './support/ports.ts';
import { until } from './support/until.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('the appliance starts when main.ts is reached through a symlinked slot directory', async () => {
  const tmp = await tempDataDir('bl-symlink-');
  cleanups.push(tmp.cleanup);
  const current = path.join(tmp.dir, 'current');
  await symlink(ROOT, current);
  const httpPort = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(current, 'appliance/src/main.ts')], {
    cwd: current,
    env: {
      ...process.env,
      BRANCHLINE_DATA_DIR: path.join(tmp.dir, 'data'),
      BRANCHLINE_HTTP_PORT: String(httpPort),
      BRANCHLINE_HTTPS: 'off',
      BRANCHLINE_SIP_PORT: '0',
      BRANCHLINE_SIP_TLS_PORT: '0',
      BRANCHLINE_SMTP_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (d) => {
    err += d;
  });
  proc.stdout.resume();
  const exited = new Promise((r) => proc.once('exit', r));
  cleanups.push(async () => {
    if (proc.exitCode === null) {
      proc.kill('SIGTERM');
      await exited;
    }
  });
  const status = await until(
    '/healthz through the symlinked start',
    async () => {
      if (proc.exitCode !== null) return `exited with ${proc.exitCode} before listening: ${err.slice(-500)}`;
      const r = await fetch(`http://127.0.0.1:${httpPort}/healthz`).catch(() => undefined);
      return r?.status === 200 ? 'healthy' : undefined;
    },
    { timeoutMs: 120_000, everyMs: 200 },
  );
  assert.equal(status, 'healthy');
});
