import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyDetached } from './signature.ts';
import { loadOrCreateSigningKey, readAuditPublicKey, signingKeyPath } from './signing-key.ts';

test('loadOrCreateSigningKey() creates a 0600 Ed25519 key once, exports the public half and reuses it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-audit-key-'));
  try {
    assert.equal(await readAuditPublicKey(dir), undefined);
    const a = await loadOrCreateSigningKey(dir);
    assert.equal((await stat(signingKeyPath(dir))).mode & 0o777, 0o600);
    assert.equal((await readFile(join(dir, 'keys', 'audit-signing.pub'), 'utf8')).trim(), a.publicKey);
    const b = await loadOrCreateSigningKey(dir);
    assert.equal(b.publicKey, a.publicKey);
    assert.equal(await readAuditPublicKey(dir), a.publicKey);
    const msg = Buffer.from('checkpoint');
    assert.equal(await verifyDetached(msg, b.sign(msg), a.publicKey), true);
    assert.equal(await verifyDetached(Buffer.from('checkpoinT'), b.sign(msg), a.publicKey), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
