import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../appliance/src/config/index.ts';

test('loadConfig() leaves IMAP polling off unless BRANCHLINE_IMAP_URL is set', () => {
  assert.equal(loadConfig({}).imap, undefined);
});

test('loadConfig() reads an imaps:// URL with TLS, port 993, INBOX and a 60 s poll by default, and never serialises the password', () => {
  const c = loadConfig({
    BRANCHLINE_IMAP_URL: 'imaps://desk%40bank.cn@mail.bank.cn',
    BRANCHLINE_IMAP_PASSWORD: 's3cret!',
  });
  assert.deepEqual(
    { ...c.imap },
    {
      host: 'mail.bank.cn',
      port: 993,
      security: 'tls',
      user: 'desk@bank.cn',
      mailbox: 'INBOX',
      pollSeconds: 60,
      moveTo: undefined,
    },
  );
  assert.equal(c.imap?.password, 's3cret!');
  assert.ok(!JSON.stringify(c).includes('s3cret!'));
});

test('loadConfig() requires STARTTLS for imap:// and allows plain IMAP only for a loopback host', () => {
  const base = { BRANCHLINE_IMAP_PASSWORD: 'p' };
  const starttls = loadConfig({ ...base, BRANCHLINE_IMAP_URL: 'imap://u@mail.bank.cn/Support%20Desk' });
  assert.equal(starttls.imap?.security, 'starttls');
  assert.equal(starttls.imap?.port, 143);
  assert.equal(starttls.imap?.mailbox, 'Support Desk');
  const plain = { ...base, BRANCHLINE_IMAP_ALLOW_PLAIN: 'on' };
  assert.equal(
    loadConfig({ ...plain, BRANCHLINE_IMAP_URL: 'imap://u@127.0.0.1:1143' }).imap?.security,
    'plain',
  );
  assert.throws(
    () => loadConfig({ ...plain, BRANCHLINE_IMAP_URL: 'imap://u@mail.bank.cn' }),
    /BRANCHLINE_IMAP_ALLOW_PLAIN/,
  );
  assert.throws(
    () => loadConfig({ ...plain, BRANCHLINE_IMAP_URL: 'imaps://u@127.0.0.1' }),
    /BRANCHLINE_IMAP_ALLOW_PLAIN/,
  );
});

test('loadConfig() rejects bad IMAP settings naming the variable', () => {
  const p = { BRANCHLINE_IMAP_PASSWORD: 'p' };
  assert.throws(() => loadConfig({ ...p, BRANCHLINE_IMAP_URL: 'http://u@host' }), /BRANCHLINE_IMAP_URL/);
  assert.throws(() => loadConfig({ ...p, BRANCHLINE_IMAP_URL: 'imaps://host' }), /BRANCHLINE_IMAP_URL/);
  assert.throws(() => loadConfig({ BRANCHLINE_IMAP_URL: 'imaps://u:pw@host' }), /not the URL/);
  assert.throws(() => loadConfig({ BRANCHLINE_IMAP_URL: 'imaps://u@host' }), /password is required/);
  assert.throws(
    () => loadConfig({ ...p, BRANCHLINE_IMAP_URL: 'imaps://u@host', BRANCHLINE_IMAP_POLL_SECONDS: '0' }),
    /BRANCHLINE_IMAP_POLL_SECONDS/,
  );
  assert.throws(
    () => loadConfig({ ...p, BRANCHLINE_IMAP_URL: 'imaps://u@host', BRANCHLINE_IMAP_MOVE_TO: 'INBOX' }),
    /BRANCHLINE_IMAP_MOVE_TO/,
  );
  assert.throws(
    () => loadConfig({ ...p, BRANCHLINE_IMAP_URL: 'imaps://u@host', BRANCHLINE_IMAP_PASSWORD_FILE: '/x' }),
    /not both/,
  );
});

test('loadConfig() reads the IMAP password from BRANCHLINE_IMAP_PASSWORD_FILE without its trailing newline', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-imap-cfg-'));
  try {
    await writeFile(join(dir, 'pw'), 'from-file\n');
    const c = loadConfig({
      BRANCHLINE_IMAP_URL: 'imaps://u@host/Archive',
      BRANCHLINE_IMAP_PASSWORD_FILE: join(dir, 'pw'),
      BRANCHLINE_IMAP_MOVE_TO: 'Imported',
    });
    assert.equal(c.imap?.password, 'from-file');
    assert.equal(c.imap?.moveTo, 'Imported');
    assert.throws(
      () =>
        loadConfig({
          BRANCHLINE_IMAP_URL: 'imaps://u@host',
          BRANCHLINE_IMAP_PASSWORD_FILE: join(dir, 'none'),
        }),
      /BRANCHLINE_IMAP_PASSWORD_FILE.*ENOENT/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
