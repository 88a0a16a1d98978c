import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InvalidStateError } from '../../contracts/index.ts';
import { StorageError } from '../errors.ts';
import { type CryptoFacade, openCrypto } from './facade.ts';
import { KeyRing } from './keyring.ts';
import { CRYPTO_SUITES, type CryptoSuiteName } from './suite.ts';

const root = mkdtempSync(join(tmpdir(), 'branchline-crypto-'));
let n = 0;
const open: CryptoFacade[] = [];
async function freshUnder(suite: CryptoSuiteName): Promise<{ crypto: CryptoFacade; dir: string }> {
  const dir = join(root, `d${++n}`);
  const crypto = await openCrypto(dir, { suite });
  open.push(crypto);
  return { crypto, dir };
}
after(() => {
  for (const c of open) c.close();
  rmSync(root, { recursive: true, force: true });
});

const ctx = { db: 'customers', docId: 'cust:1', field: 'phone' };
const code = (c: string) => (err: unknown) => err instanceof StorageError && err.code === c;

for (const suite of CRYPTO_SUITES) {
  const tag = suite === 'gm' ? 'g1' : 'v1';
  const fresh = () => freshUnder(suite);
  describe(`CryptoFacade (${suite} suite)`, () => {
    it('encrypt() then decrypt() round-trips and the envelope hides the value', async () => {
      const { crypto } = await fresh();
      const env = await crypto.encrypt('13800138000 张三', 'pii', ctx);
      assert.match(env, new RegExp(`^enc:${tag}:pii:[A-Za-z0-9+/=]+$`));
      assert.ok(!env.includes('13800138000'));
      assert.notEqual(await crypto.encrypt('13800138000 张三', 'pii', ctx), env, 'nonces are random');
      assert.equal(await crypto.decrypt(env, ctx), '13800138000 张三');
    });

    it('decrypt() of a ciphertext moved to another doc, field or db rejects with STORAGE_DECRYPT_FAILED', async () => {
      const { crypto } = await fresh();
      const env = await crypto.encrypt('secret', 'pii', ctx);
      await assert.rejects(crypto.decrypt(env, { ...ctx, docId: 'cust:2' }), code('STORAGE_DECRYPT_FAILED'));
      await assert.rejects(crypto.decrypt(env, { ...ctx, field: 'email' }), code('STORAGE_DECRYPT_FAILED'));
      await assert.rejects(crypto.decrypt(env, { ...ctx, db: 'tickets' }), code('STORAGE_DECRYPT_FAILED'));
    });

    it('decrypt() of a tampered ciphertext or a swapped key id rejects with STORAGE_DECRYPT_FAILED', async () => {
      const { crypto } = await fresh();
      const env = await crypto.encrypt('secret', 'pii', ctx);
      await crypto.encrypt('other', 'message', ctx);
      const bytes = Buffer.from(env.slice(`enc:${tag}:pii:`.length), 'base64');
      bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 1;
      await assert.rejects(
        crypto.decrypt(`enc:${tag}:pii:${bytes.toString('base64')}`, ctx),
        code('STORAGE_DECRYPT_FAILED'),
      );
      await assert.rejects(
        crypto.decrypt(env.replace(':pii:', ':message:'), ctx),
        code('STORAGE_DECRYPT_FAILED'),
      );
      await assert.rejects(crypto.decrypt('plain text', ctx), code('STORAGE_DECRYPT_FAILED'));
      await assert.rejects(
        crypto.decrypt(env.replace(':pii:', ':nokey:'), ctx),
        code('STORAGE_DECRYPT_FAILED'),
      );
    });

    it('keys survive a restart: data encrypted before reopening still decrypts', async () => {
      const { crypto, dir } = await fresh();
      const env = await crypto.encrypt('persist me', 'cust:9', ctx);
      const again = await openCrypto(dir);
      open.push(again);
      assert.equal(await again.decrypt(env, ctx), 'persist me');
    });

    it('rotate() rewraps every data key under a new KEK and old data still decrypts', async () => {
      const { crypto, dir } = await fresh();
      const a = await crypto.encrypt('alpha', 'pii', ctx);
      const b = await crypto.encrypt('beta', 'cust:7', ctx);
      const file = join(dir, 'keys', 'keyring.json');
      const before = JSON.parse(readFileSync(file, 'utf8'));
      copyFileSync(
        join(dir, 'keys', 'customer-keys.log'),
        join(dir, 'keys', 'customer-keys.log.before-rotate'),
      );
      assert.equal(await crypto.rotate(), 2);
      const afterRotate = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(afterRotate.currentKek, before.currentKek + 1);
      assert.deepEqual(Object.keys(afterRotate.keks), [String(before.currentKek + 1)]);
      assert.notEqual(afterRotate.dataKeys.pii.wrapped, before.dataKeys.pii.wrapped);
      // Per-customer keys live in the key log, which rotate() rewrites under the new KEK.
      assert.equal(before.dataKeys['cust:7'], undefined);
      const logBefore = readFileSync(join(dir, 'keys', 'customer-keys.log.before-rotate'));
      const logAfter = readFileSync(join(dir, 'keys', 'customer-keys.log'));
      assert.ok(!logAfter.equals(logBefore), 'the log was rewritten');
      assert.match(logAfter.toString('latin1'), new RegExp(`"kek":${before.currentKek + 1}`));
      assert.doesNotMatch(logAfter.toString('latin1'), new RegExp(`"kek":${before.currentKek}[,}]`));
      assert.equal(await crypto.decrypt(a, ctx), 'alpha');
      const reopened = await openCrypto(dir);
      open.push(reopened);
      assert.equal(await reopened.decrypt(b, ctx), 'beta');
      assert.equal(reopened.keys.kekVersion, before.currentKek + 1);
    });

    it('shred() makes a customer key unreadable forever, also after restart, and refuses to recreate it', async () => {
      const { crypto, dir } = await fresh();
      const env = await crypto.encrypt('customer secret', 'cust:42', ctx);
      const keep = await crypto.encrypt('other customer', 'cust:43', ctx);
      assert.equal(await crypto.shred('cust:42'), true);
      await assert.rejects(crypto.decrypt(env, ctx), code('STORAGE_KEY_SHREDDED'));
      await assert.rejects(crypto.encrypt('new', 'cust:42', ctx), code('STORAGE_KEY_SHREDDED'));
      assert.ok(!readFileSync(join(dir, 'keys', 'keyring.json'), 'utf8').includes('"cust:42":'));
      const reopened = await openCrypto(dir);
      open.push(reopened);
      await assert.rejects(reopened.decrypt(env, ctx), code('STORAGE_KEY_SHREDDED'));
      assert.equal(await reopened.decrypt(keep, ctx), 'other customer');
      await assert.rejects(crypto.shred('pii'), RangeError);
    });

    it('blindIndex() is deterministic, normalises input and differs per kind', async () => {
      const { crypto, dir } = await fresh();
      const t = crypto.blindIndex('phone', '+86 138-0013-8000');
      assert.match(t, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(crypto.blindIndex('phone', '86 13800138000'), t);
      assert.notEqual(crypto.blindIndex('phone', '8613800138001'), t);
      assert.notEqual(crypto.blindIndex('card', '8613800138000'), t);
      assert.equal(
        crypto.blindIndex('email', '  Ann@Example.COM '),
        crypto.blindIndex('email', 'ann@example.com'),
      );
      assert.equal(
        crypto.blindIndex('idcard', '11010519491231002x'),
        crypto.blindIndex('idcard', '110105 19491231 002X'),
      );
      const reopened = await openCrypto(dir);
      open.push(reopened);
      assert.equal(reopened.blindIndex('phone', '+8613800138000'), t, 'stable across restarts');
      const { crypto: other } = await fresh();
      assert.notEqual(other.blindIndex('phone', '+8613800138000'), t, 'keyed per appliance');
      assert.throws(() => crypto.blindIndex('phone', 'no digits'), RangeError);
      assert.throws(() => crypto.blindIndex('Bad Kind', 'x'), TypeError);
    });

    it('the root key file is 32 bytes with mode 0600 in a 0700 directory', async () => {
      const { dir } = await fresh();
      const st = statSync(join(dir, 'keys', 'root.key'));
      assert.equal(st.size, 32);
      assert.equal(st.mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'keys')).mode & 0o777, 0o700);
      assert.equal(statSync(join(dir, 'keys', 'keyring.json')).mode & 0o777, 0o600);
    });

    it('a keyring opened with a different root key is refused with STORAGE_DECRYPT_FAILED', async () => {
      const { dir } = await fresh();
      const other = join(root, `d${++n}`);
      (await KeyRing.open(other)).close();
      copyFileSync(join(other, 'keys', 'root.key'), join(dir, 'keys', 'root.key'));
      await assert.rejects(KeyRing.open(dir), code('STORAGE_DECRYPT_FAILED'));
    });

    it('after close() the facade rejects with InvalidStateError', async () => {
      const { crypto } = await fresh();
      const env = await crypto.encrypt('x', 'pii', ctx);
      crypto.close();
      crypto.close();
      await assert.rejects(crypto.encrypt('x', 'pii', ctx), InvalidStateError);
      await assert.rejects(crypto.decrypt(env, ctx), InvalidStateError);
      assert.throws(() => crypto.blindIndex('phone', '1'), InvalidStateError);
    });

    it('encrypt() rejects an invalid key id with TypeError', async () => {
      const { crypto } = await fresh();
      await assert.rejects(crypto.encrypt('x', 'Bad Id', ctx), TypeError);
      await assert.rejects(crypto.encrypt('x', 'cust:a:b', ctx), TypeError);
    });
  });
}

describe('CryptoFacade suite choice and migration', () => {
  it('the suite chosen at first start is kept in keyring.json and a start asking for another is refused with STORAGE_SUITE_MISMATCH', async () => {
    const { crypto, dir } = await freshUnder('gm');
    assert.equal(crypto.suite.name, 'gm');
    const file = JSON.parse(readFileSync(join(dir, 'keys', 'keyring.json'), 'utf8'));
    assert.equal(file.suite, 'gm');
    assert.equal(file.indexSuite, 'gm');
    await assert.rejects(openCrypto(dir, { suite: 'classic' }), (err: unknown) => {
      assert.ok(code('STORAGE_SUITE_MISMATCH')(err));
      assert.match((err as Error).message, /set up with gm.*migrate-suite classic/);
      return true;
    });
    const again = await openCrypto(dir);
    open.push(again);
    assert.equal(again.suite.name, 'gm', 'no suite asked: the stored one');
  });

  it('a key ring from before suites (no suite recorded) opens as classic', async () => {
    const { crypto, dir } = await freshUnder('classic');
    crypto.close();
    const file = join(dir, 'keys', 'keyring.json');
    const { suite: _s, indexSuite: _i, ...legacy } = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify(legacy));
    const again = await openCrypto(dir, { suite: 'classic' });
    open.push(again);
    assert.equal(again.suite.name, 'classic');
    await assert.rejects(openCrypto(dir, { suite: 'gm' }), code('STORAGE_SUITE_MISMATCH'));
  });

  it('setSuite() seals new envelopes under the new suite, old ones still open, and the choice survives a restart', async () => {
    const { crypto, dir } = await freshUnder('classic');
    const token = crypto.blindIndex('phone', '13800138000');
    const old = await crypto.encrypt('before', 'cust:1', ctx);
    assert.equal(crypto.isStale(old), false);
    await crypto.setSuite('gm');
    const neu = await crypto.encrypt('after', 'cust:1', ctx);
    assert.match(old, /^enc:v1:/);
    assert.match(neu, /^enc:g1:/);
    assert.equal(crypto.isStale(old), true);
    assert.equal(crypto.isStale(neu), false);
    assert.equal(await crypto.decrypt(old, ctx), 'before');
    assert.equal(await crypto.decrypt(neu, ctx), 'after');
    assert.equal(
      crypto.blindIndex('phone', '13800138000'),
      token,
      'blind indexes keep their first-start suite',
    );
    await assert.rejects(openCrypto(dir, { suite: 'classic' }), code('STORAGE_SUITE_MISMATCH'));
    const again = await openCrypto(dir, { suite: 'gm' });
    open.push(again);
    assert.equal(await again.decrypt(old, ctx), 'before');
    assert.equal(await again.decrypt(neu, ctx), 'after');
  });

  it('an envelope relabelled to the other suite is refused with STORAGE_DECRYPT_FAILED', async () => {
    const { crypto } = await freshUnder('gm');
    const gm = await crypto.encrypt('secret', 'pii', ctx);
    await assert.rejects(
      crypto.decrypt(gm.replace('enc:g1:', 'enc:v1:'), ctx),
      code('STORAGE_DECRYPT_FAILED'),
    );
    await crypto.setSuite('classic');
    const classic = await crypto.encrypt('secret', 'pii', ctx);
    await assert.rejects(
      crypto.decrypt(classic.replace('enc:v1:', 'enc:g1:'), ctx),
      code('STORAGE_DECRYPT_FAILED'),
    );
  });

  it('blind indexes under gm are HMAC-SM3 tokens unrelated to the classic ones', async () => {
    const { crypto: gm } = await freshUnder('gm');
    const t = gm.blindIndex('phone', '+86 138-0013-8000');
    assert.match(t, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(gm.blindIndex('phone', '8613800138000'), t);
    assert.notEqual(gm.blindIndex('card', '8613800138000'), t);
  });
});
