// Proof that a write is on disk before its 2xx: the appliance runs under
// strace; between reading each POST and writing its 201 there must be a
// completed fdatasync/fsync.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { validPhone } from './support/synthetic.ts';

let cleanup: (() => Promise<void>) | undefined;
after(() => cleanup?.());

test('each POST /api/customers is fsynced before its 201 is written (strace)', async () => {
  assert.ok(existsSync('/usr/bin/strace'), 'strace is required (.ci/run installs it)');
  const tmp = await tempDataDir('bl-strace-');
  cleanup = tmp.cleanup;
  const trace = path.join(tmp.dir, '..', `${path.basename(tmp.dir)}.strace`);
  const app = await startAppliance(tmp.dir, { env: { BRANCHLINE_HTTPS: 'off' } });
  const { admin } = await bootstrapAdmin(app);
  // Attach to every thread of the running appliance (LevelDB syncs on libuv's pool threads).
  const strace = spawn(
    '/usr/bin/strace',
    [
      '-f',
      '-s',
      '48',
      '-e',
      'trace=read,write,writev,fsync,fdatasync',
      '-o',
      trace,
      '-p',
      String(app.proc.pid),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const straceDone = new Promise((resolve) => strace.once('exit', resolve));
  let attached = '';
  strace.stderr.on('data', (d) => {
    attached += d;
  });
  for (let i = 0; i < 100 && !/attached/i.test(attached); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(attached, /attached/i, 'strace attached to the appliance');
  const N = 10;
  for (let i = 0; i < N; i++) {
    const r = await admin.request('POST', '/api/customers', { name: `Synced ${i}`, phone: validPhone() });
    assert.equal(r.status, 201);
  }
  await app.stop();
  await straceDone;
  const lines = (await readFile(trace, 'utf8')).split('\n');
  let inRequest = false;
  let synced = false;
  let checked = 0;
  for (const line of lines) {
    // With -f, a call interrupted by another thread's is printed as `<unfinished ...>` and its data
    // on a later `<... read resumed>` line: match both forms.
    if (/(read\(\d+, |<\.\.\. read resumed>)"POST \/api\/customers /.test(line)) {
      inRequest = true;
      synced = false;
    } else if (inRequest && /(fdatasync|fsync)(\(\d+\)|\s+resumed>\)) += 0/.test(line)) {
      synced = true;
    } else if (inRequest && /(write(v)?\(\d+, |<\.\.\. writev? resumed>).*HTTP\/1\.1 201/.test(line)) {
      assert.ok(synced, `response written without a preceding fsync: ${line.slice(0, 120)}`);
      inRequest = false;
      checked++;
    }
  }
  const evidence = lines
    .filter((l) => /POST \/api\/customers |HTTP\/1\.1 201/.test(l))
    .map((l) => l.slice(0, 140));
  assert.equal(checked, N, `every request/response pair was found in the trace:\n${evidence.join('\n')}`);
});
