// Field encrypt/decrypt per op under both crypto suites, and the KAT times (SM4 single
// block, SM4 1,000,000 iterations, SM3). Run: node --import tsx scripts/bench-crypto-suites.ts
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CRYPTO_SUITES, openCrypto } from '../appliance/src/storage/index.ts';
import { loadStreamSodium } from '../appliance/src/voice/recording/sodium.ts';
import { RecordingStreamWriter, readRecordingStream } from '../appliance/src/voice/recording/stream.ts';

const N = 20_000;
const root = mkdtempSync(join(tmpdir(), 'bench-suites-'));
const ctx = { db: 'customers', docId: 'cust:42', field: 'phone' };
const value = '13800138000 张三 北京市朝阳区';
try {
  for (const suite of CRYPTO_SUITES) {
    const crypto = await openCrypto(join(root, suite), { suite });
    const env = await crypto.encrypt(value, 'pii', ctx);
    for (let i = 0; i < 2000; i++) await crypto.decrypt(await crypto.encrypt(value, 'pii', ctx), ctx); // warm-up
    let t = performance.now();
    for (let i = 0; i < N; i++) await crypto.encrypt(value, 'pii', ctx);
    const enc = ((performance.now() - t) * 1000) / N;
    t = performance.now();
    for (let i = 0; i < N; i++) await crypto.decrypt(env, ctx);
    const dec = ((performance.now() - t) * 1000) / N;
    t = performance.now();
    for (let i = 0; i < N; i++) crypto.blindIndex('phone', `1380013${String(i % 10000).padStart(4, '0')}`);
    const idx = ((performance.now() - t) * 1000) / N;
    console.log(
      `${suite.padEnd(8)} encrypt ${enc.toFixed(1)} µs/op  decrypt ${dec.toFixed(1)} µs/op  blindIndex ${idx.toFixed(1)} µs/op  envelope ${env.length} chars (${value.length}-char value, ${N} ops)`,
    );
    crypto.close();
  }
  // One hour of one leg's μ-law (28.8 MB) through the recording stream cipher, as the media worker writes it.
  const sodium = await loadStreamSodium();
  const hour = randomBytes(8000 * 3600);
  for (const suite of CRYPTO_SUITES) {
    const path = join(root, `${suite}.blrec`);
    const streamKey = randomBytes(32);
    const header = {
      v: 1,
      callId: 'bench',
      leg: 'customer',
      codec: 'pcmu',
      rate: 8000,
      startedAt: '',
    } as const;
    let t0 = performance.now();
    const w = new RecordingStreamWriter(path, sodium, { key: streamKey, header, suite });
    for (let p = 0; p < hour.length; p += 160) w.append(p, hour.subarray(p, p + 160));
    w.finish();
    const write = performance.now() - t0;
    t0 = performance.now();
    readRecordingStream(path, sodium, streamKey);
    const read = performance.now() - t0;
    console.log(
      `${suite.padEnd(8)} recording, 1 h of one leg: write ${write.toFixed(0)} ms, read ${read.toFixed(0)} ms`,
    );
  }
  const key = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
  let t = performance.now();
  const c = createCipheriv('sm4-ecb', key, null);
  c.setAutoPadding(false);
  let block: Buffer = Buffer.from(key);
  block = c.update(block);
  const one = performance.now() - t;
  for (let i = 1; i < 1_000_000; i++) block = c.update(block);
  const million = performance.now() - t;
  t = performance.now();
  createHash('sm3').update('abc').digest('hex');
  createHash('sm3').update('abcd'.repeat(16)).digest('hex');
  const sm3 = performance.now() - t;
  console.log(
    `KAT SM4 one block ${one.toFixed(2)} ms; SM4 ×1,000,000 ${million.toFixed(0)} ms (${block.toString('hex')}); SM3 both vectors ${sm3.toFixed(2)} ms`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
