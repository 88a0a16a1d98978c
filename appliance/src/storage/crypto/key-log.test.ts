import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StorageError } from '../errors.ts';
import { openCrypto } from './facade.ts';
import { KeyRing } from './keyring.ts';

const root = mkdtempSync(join(tmpdir(), 'branchline-keylog-'));
let n = 0;
const opened: KeyRing[] = [];
async function ring(dir = join(root, `d${++n}`)): Promise<{ keys: KeyRing; dir: string; log: string }> {
  const keys = await KeyRing.open(dir);
  opened.push(keys);
  return { keys, dir, log: join(dir, 'keys', 'customer-keys.log') };
}
after(() => {
  for (const k of opened) k.close();
  rmSync(root, { recursive: true, force: true });
});

const code = (c: string) => (err: unknown) => err instanceof StorageError && err.code === c;
/** Byte offsets where each record of a log ends (u32 length ‖ payload ‖ 32-byte MAC). */
function recordEnds(bytes: Buffer): number[] {
  const ends: number[] = [];
  for (let at = 0; at + 4 <= bytes.length; ) {
    at += 4 + bytes.readUInt32BE(at) + 32;
    if (at <= bytes.length) ends.push(at);
  }
  return ends;
}

describe('KeyRing customer key log', () => {
  it('ensure() creates 20,000 concurrent customer keys and all survive a reopen', async () => {
    const { keys, dir } = await ring();
    const ids = Array.from({ length: 20_000 }, (_, i) => `cust:c${i}`);
    for (let i = 0; i < ids.length; i += 1000) {
      await Promise.all(ids.slice(i, i + 1000).map((id) => keys.ensure(id)));
    }
    const sample = Buffer.from(keys.find('cust:c12345') ?? []);
    keys.close();
    const { keys: again } = await ring(dir);
    assert.equal(again.size, 20_000);
    assert.deepEqual(Buffer.from(again.find('cust:c12345') ?? []), sample);
    assert.ok(!readFileSync(join(dir, 'keys', 'keyring.json'), 'utf8').includes('cust:'));
  });

  it('concurrent ensure() calls for one id return the same key and write it once', async () => {
    const { keys, log } = await ring();
    const [a, b, c] = await Promise.all([
      keys.ensure('cust:x'),
      keys.ensure('cust:x'),
      keys.ensure('cust:x'),
    ]);
    assert.deepEqual(a, b);
    assert.deepEqual(b, c);
    assert.equal(recordEnds(readFileSync(log)).length, 1);
    assert.equal(statSync(log).mode & 0o777, 0o600);
  });

  it('a log truncated mid-record reopens with every complete record and drops the torn one', async () => {
    const { keys, dir, log } = await ring();
    for (let i = 0; i < 5; i++) await keys.ensure(`cust:t${i}`);
    const k3 = Buffer.from(keys.find('cust:t3') ?? []);
    keys.close();
    const ends = recordEnds(readFileSync(log));
    assert.equal(ends.length, 5);
    truncateSync(log, (ends[3] as number) + 17); // crash while writing the fifth record
    const { keys: again } = await ring(dir);
    assert.equal(again.size, 4);
    assert.deepEqual(Buffer.from(again.find('cust:t3') ?? []), k3);
    assert.equal(again.find('cust:t4'), undefined);
    assert.equal(statSync(log).size, ends[3], 'the torn tail was cut off');
    await again.ensure('cust:t5');
    again.close();
    const { keys: third } = await ring(dir);
    assert.equal(third.size, 5, 'appends after the repair are readable');
  });

  it('a corrupted record in the middle of the log is refused with STORAGE_DECRYPT_FAILED', async () => {
    const { keys, dir, log } = await ring();
    for (let i = 0; i < 3; i++) await keys.ensure(`cust:m${i}`);
    keys.close();
    const bytes = readFileSync(log);
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    writeFileSync(log, bytes);
    await assert.rejects(KeyRing.open(dir), code('STORAGE_DECRYPT_FAILED'));
  });

  it('shred() removes the wrapped key bytes from the log and leaves a tombstone', async () => {
    const { keys, dir, log } = await ring();
    await keys.ensure('cust:keep');
    await keys.ensure('cust:gone');
    const before = readFileSync(log);
    const wrapped = /"id":"cust:gone","kek":1,"w":"([^"]+)"/.exec(before.toString('latin1'))?.[1];
    assert.ok(wrapped);
    assert.equal(await keys.shred('cust:gone'), true);
    const afterShred = readFileSync(log).toString('latin1');
    assert.ok(!afterShred.includes(wrapped), 'wrapped key bytes are gone');
    assert.match(afterShred, /"t":"x","id":"cust:gone"/);
    keys.close();
    const { keys: again } = await ring(dir);
    assert.equal(again.isShredded('cust:gone'), true);
    assert.equal(again.find('cust:gone'), undefined);
    assert.ok(again.find('cust:keep'));
    await assert.rejects(again.ensure('cust:gone'), code('STORAGE_KEY_SHREDDED'));
  });

  it('a crash after the tombstone but before compaction finishes the shred on reopen', async () => {
    const { keys, dir, log } = await ring();
    await keys.ensure('cust:a');
    await keys.ensure('cust:b');
    const before = readFileSync(log);
    await keys.shred('cust:a');
    keys.close();
    const compacted = readFileSync(log);
    const ends = recordEnds(compacted);
    const tombstone = compacted.subarray(ends.at(-2) ?? 0);
    writeFileSync(log, Buffer.concat([before, tombstone]));
    const wrapped = /"id":"cust:a","kek":1,"w":"([^"]+)"/.exec(before.toString('latin1'))?.[1];
    assert.ok(wrapped && readFileSync(log).toString('latin1').includes(wrapped));
    const { keys: again } = await ring(dir);
    assert.equal(again.isShredded('cust:a'), true);
    assert.ok(again.find('cust:b'));
    assert.ok(!readFileSync(log).toString('latin1').includes(wrapped), 'reopen compacted the log');
  });

  it('rotate() while customer keys are being created keeps every key decryptable after reopen', async () => {
    const dir = join(root, `d${++n}`);
    const crypto = await openCrypto(dir);
    const ctx = { db: 'conversations', docId: 'm1', field: 'text' };
    const envs = await Promise.all([
      ...Array.from({ length: 200 }, (_, i) => crypto.encrypt(`v${i}`, `cust:r${i}`, ctx)),
      crypto.rotate().then(() => 'rotated'),
      ...Array.from({ length: 200 }, (_, i) => crypto.encrypt(`w${i}`, `cust:s${i}`, ctx)),
    ]);
    crypto.close();
    const again = await openCrypto(dir);
    try {
      assert.equal(again.keys.kekVersion, 2);
      assert.equal(await again.decrypt(envs[7] as string, ctx), 'v7');
      assert.equal(await again.decrypt(envs[399] as string, ctx), 'w198');
      assert.doesNotMatch(readFileSync(join(dir, 'keys', 'customer-keys.log'), 'latin1'), /"kek":1,/);
    } finally {
      again.close();
    }
  });
});
