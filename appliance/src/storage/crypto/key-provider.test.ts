import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { StorageError } from '../errors.ts';
import { openCrypto } from './facade.ts';
import { FileKeyProvider } from './key-provider.ts';

const root = mkdtempSync(join(tmpdir(), 'branchline-kp-'));
after(() => rmSync(root, { recursive: true, force: true }));
const failed = (err: unknown) => err instanceof StorageError && err.code === 'STORAGE_DECRYPT_FAILED';

test('FileKeyProvider gives the key ring’s data keys, wraps and unwraps under the KEK bound to the handle, and signs by handle', async () => {
  const crypto = await openCrypto(join(root, 'a'), { suite: 'gm' });
  try {
    const signed: Uint8Array[] = [];
    const provider = new FileKeyProvider(crypto.keys, {
      signers: {
        audit: {
          sign: (m) => {
            signed.push(m);
            return 'c2ln';
          },
        },
      },
    });
    const key = await provider.getKey('cust:1');
    assert.equal(key.length, 32);
    assert.deepEqual(await provider.getKey('cust:1'), key);
    assert.deepEqual(crypto.keys.find('cust:1'), key, 'the same key the facade seals with');
    const wrapped = await provider.wrap('kek', 'cust:1', key);
    assert.match(wrapped, /^1:[A-Za-z0-9+/=]+$/);
    assert.deepEqual(await provider.unwrap('kek', 'cust:1', wrapped), key);
    await assert.rejects(provider.unwrap('kek', 'cust:2', wrapped), failed);
    await assert.rejects(
      provider.unwrap(
        'kek',
        'cust:1',
        wrapped.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      ),
      failed,
    );
    await assert.rejects(provider.unwrap('kek', 'cust:1', 'nonsense'), failed);
    await assert.rejects(provider.wrap('hsm-slot-1', 'cust:1', key), TypeError);
    assert.equal(await provider.sign('audit', Buffer.from('x')), 'c2ln');
    assert.equal(signed.length, 1);
    await assert.rejects(provider.sign('nope', Buffer.from('x')), TypeError);
  } finally {
    crypto.close();
  }
});
