import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EventBus } from '../events/index.ts';
import { EncryptedDocStore, openCrypto, openPouchStore } from '../storage/index.ts';
import { IdentityService } from './service.ts';
import { Clock, testHasher } from './test-support.ts';
import { base32Decode, totp } from './totp.ts';

const hasher = testHasher();
after(() => hasher.close());

async function open(dir: string, clock: Clock) {
  const crypto = await openCrypto(dir);
  const db = await openPouchStore(join(dir, 'db'), 'identity');
  const store = new EncryptedDocStore(db, { crypto, fields: ['totpSecret'] });
  const service = new IdentityService(store, new EventBus(), { hasher, now: clock.now });
  return {
    service,
    close: async () => {
      await service.close();
      await store.close();
      crypto.close();
    },
  };
}

async function rawBytes(dir: string): Promise<Buffer> {
  const files = await readdir(dir, { recursive: true, withFileTypes: true });
  const parts = await Promise.all(
    files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name))),
  );
  return Buffer.concat(parts);
}

test('users, MFA and sessions survive a restart on LevelDB, with the TOTP secret encrypted at rest', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-identity-db-'));
  const clock = new Clock();
  try {
    const a = await open(dir, clock);
    const first = await a.service.ensureInitialAdmin({ dataDir: dir });
    assert.ok(first);
    const login = await a.service.login({ username: 'admin', password: first.password }, { ip: '127.0.0.1' });
    const { secret } = await a.service.beginMfa(login.user.id);
    await a.service.confirmMfa(login.user.id, totp(base32Decode(secret), clock.t));
    await a.close();

    const raw = await rawBytes(dir);
    assert.ok(!raw.includes(secret), 'TOTP secret is not stored in clear');
    assert.ok(!raw.includes(login.token), 'session token is not stored');

    clock.advance(60_000);
    const b = await open(dir, clock);
    try {
      assert.equal(
        (await b.service.resolveSession(login.token))?.username,
        'admin',
        'session survives the restart',
      );
      assert.equal(await b.service.ensureInitialAdmin({ dataDir: dir }), undefined);
      const code = totp(base32Decode(secret), clock.t);
      const again = await b.service.login(
        { username: 'admin', password: first.password, totp: code },
        { ip: '127.0.0.1' },
      );
      assert.equal(again.mfaSetupRequired, false);
    } finally {
      await b.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
