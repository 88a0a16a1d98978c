import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadStreamSodium } from './sodium.ts';
import { RecordingStreamWriter, readRecordingStream, type StreamHeader } from './stream.ts';
import type { StreamSuite } from './stream-cipher.ts';

const root = mkdtempSync(join(tmpdir(), 'branchline-stream-'));
after(() => rmSync(root, { recursive: true, force: true }));
const sodium = await loadStreamSodium();
const header: StreamHeader = {
  v: 1,
  callId: 'call-1',
  leg: 'caller',
  codec: 'pcmu',
  rate: 8000,
  startedAt: '2026-12-07T00:00:00.000Z',
};
let n = 0;

/** Writes 3 s of audio in 160-byte packets (several chunks); returns the file, its key and the μ-law written. */
function write(suite: StreamSuite): { path: string; key: Uint8Array; ulaw: Buffer } {
  const path = join(root, `${suite}-${++n}.blrec`);
  const key = randomBytes(32);
  const ulaw = randomBytes(24_000);
  const w = new RecordingStreamWriter(path, sodium, { key, header, suite });
  for (let p = 0; p < ulaw.length; p += 160) w.append(p, ulaw.subarray(p, p + 160));
  w.finish();
  return { path, key, ulaw };
}

/** Byte offsets of the frames (u32 length + sealed chunk) after the stream header. */
function frames(buf: Buffer, headerBytes: number): Array<[number, number]> {
  let off = 12 + buf.readUInt32BE(8) + headerBytes;
  const out: Array<[number, number]> = [];
  while (off + 4 <= buf.length) {
    const len = buf.readUInt32BE(off);
    out.push([off, 4 + len]);
    off += 4 + len;
  }
  return out;
}

for (const suite of ['classic', 'gm'] as const) {
  const headerBytes = suite === 'gm' ? 8 : 24;
  describe(`recording stream (${suite} suite)`, () => {
    it('reads back what was written, complete, with the cipher named in the magic', () => {
      const { path, key, ulaw } = write(suite);
      const buf = readFileSync(path);
      assert.equal(buf[7], suite === 'gm' ? 2 : 1);
      const got = readRecordingStream(path, sodium, key);
      assert.equal(got.truncated, false);
      assert.ok(got.chunks >= 3, `chunks: ${got.chunks}`);
      assert.deepEqual(got.ulaw, ulaw);
      assert.deepEqual(got.header, header);
    });

    it('refuses a flipped bit in a chunk, an edited header, another key and swapped chunks', () => {
      const { path, key } = write(suite);
      const buf = readFileSync(path);
      const fs = frames(buf, headerBytes);
      const [o1, l1] = fs[1] as [number, number];
      const flipped = Buffer.from(buf);
      flipped[o1 + 10] = (flipped[o1 + 10] ?? 0) ^ 1;
      writeFileSync(path, flipped);
      assert.throws(() => readRecordingStream(path, sodium, key), /failed authentication/);
      writeFileSync(path, Buffer.from(buf.toString('latin1').replace('call-1', 'call-2'), 'latin1'));
      assert.throws(() => readRecordingStream(path, sodium, key), /failed authentication/);
      writeFileSync(path, buf);
      assert.throws(() => readRecordingStream(path, sodium, randomBytes(32)), /failed authentication/);
      const [o2, l2] = fs[2] as [number, number];
      if (l1 === l2) {
        const swapped = Buffer.from(buf);
        buf.copy(swapped, o1, o2, o2 + l2);
        buf.copy(swapped, o2, o1, o1 + l1);
        writeFileSync(path, swapped);
        assert.throws(() => readRecordingStream(path, sodium, key), /failed authentication/);
      }
    });

    it('a stream cut off before its final chunk reads as truncated, and a non-final chunk cannot pass as final', () => {
      const { path, key } = write(suite);
      const buf = readFileSync(path);
      const fs = frames(buf, headerBytes);
      const [last] = fs.at(-1) as [number, number];
      writeFileSync(path, buf.subarray(0, last));
      const got = readRecordingStream(path, sodium, key);
      assert.equal(got.truncated, true);
      assert.equal(got.chunks, fs.length - 1);
    });
  });
}
