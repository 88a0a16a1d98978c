// `branchline config` as an operator runs it: the real CLI process, effective
// values from the environment or the schema default, secrets masked.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from './support/appliance.ts';

const run = promisify(execFile);

function config(env: Record<string, string>, ...args: string[]) {
  return run(process.execPath, ['bin/branchline.mjs', 'config', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
}

test('branchline config prints every setting with its effective value and masks the IMAP password and the relay password', async () => {
  const { stdout } = await config({
    BRANCHLINE_DATA_DIR: '/tmp/bl-config-test',
    BRANCHLINE_SIP_TLS_PORT: '5071',
    BRANCHLINE_IMAP_URL: 'imaps://robot@mail.example',
    BRANCHLINE_IMAP_PASSWORD: 'hunter2-imap-secret',
    BRANCHLINE_SMTP_RELAY_URL: 'smtps://relay:relay-secret-77@mail.example:465',
  });
  assert.doesNotMatch(stdout, /hunter2-imap-secret|relay-secret-77/);
  assert.match(stdout, /^BRANCHLINE_IMAP_PASSWORD=\*{8}\s+# environment$/m);
  assert.match(
    stdout,
    /^BRANCHLINE_SMTP_RELAY_URL=smtps:\/\/relay:\*{8}@mail\.example:465\s+# environment$/m,
  );
  assert.match(stdout, /^BRANCHLINE_SIP_TLS_PORT=5071\s+# environment$/m);
  assert.match(stdout, /^BRANCHLINE_HTTP_PORT=8080\s+# default$/m);
  assert.match(stdout, /^BRANCHLINE_DATA_DIR=\/tmp\/bl-config-test\s+# environment$/m);
  assert.match(stdout, /^BRANCHLINE_HQ_URL=\s+# unset$/m);
  assert.match(stdout, /^# read by: hq$/m);
  assert.match(stdout, /^BRANCHLINE_HQ_DATA_DIR=\.\/var\/hq\s+# default$/m);
});

test('branchline config --json gives the same rows as JSON, still masked', async () => {
  const { stdout } = await config({ BRANCHLINE_DEMO_AGENTS: 'li:pw-li-secret' }, '--json');
  const rows = JSON.parse(stdout) as Array<{ name: string; value?: string; source: string }>;
  const agents = rows.find((r) => r.name === 'BRANCHLINE_DEMO_AGENTS');
  assert.deepEqual(agents, {
    name: 'BRANCHLINE_DEMO_AGENTS',
    program: 'demo',
    value: '********',
    source: 'environment',
  });
  assert.doesNotMatch(stdout, /pw-li-secret/);
});

test('branchline config refuses a bad value with a message naming the variable, not a stack trace', async () => {
  await assert.rejects(
    config({ BRANCHLINE_SIP_TLS_PORT: 'five' }),
    (e: { code?: number; stderr?: string }) => {
      assert.notEqual(e.code, 0);
      assert.match(
        e.stderr ?? '',
        /^branchline: Cannot parse BRANCHLINE_SIP_TLS_PORT: "five" is not a port number/m,
      );
      assert.doesNotMatch(e.stderr ?? '', /\n\s+at /);
      return true;
    },
  );
});

test('the CLI runs from any directory through a symlink, as the image installs it (/usr/local/bin/branchline)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'bl-cli-cwd-'));
  try {
    const link = path.join(dir, 'branchline');
    await symlink(path.join(ROOT, 'bin/branchline.mjs'), link);
    const { stdout } = await run(process.execPath, [link, 'config'], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', BRANCHLINE_DATA_DIR: '/tmp/bl-config-test' },
    });
    assert.match(stdout, /^BRANCHLINE_DATA_DIR=\/tmp\/bl-config-test\s+# environment$/m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
