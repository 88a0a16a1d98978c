import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { StreamSodium } from './sodium.ts';
import {
  gmStreamCipher,
  type StreamCipher,
  type StreamPush,
  type StreamSuite,
  sodiumStreamCipher,
} from './stream-cipher.ts';

/**
 * One leg's encrypted recording: MAGIC, u32 header length, header JSON,
 * stream cipher header, then frames of (u32 length, ciphertext). Each plaintext
 * message holds records (u32 sample position, u16 length, μ-law bytes). The last
 * message is marked final; a stream without it was cut off (crash, kill) and
 * reads back as truncated. MAGIC's last byte names the cipher (see
 * stream-cipher.ts): 1 = XChaCha20-Poly1305 secretstream (classic suite),
 * 2 = SM4-CTR + HMAC-SM3 chunks (gm suite); readers pick by it.
 */
const MAGIC = Buffer.from('BLREC\0\0\x01', 'latin1');
const MAGIC_GM = Buffer.from('BLREC\0\0\x02', 'latin1');

function cipherFor(magic: Buffer, sodium: StreamSodium): StreamCipher | undefined {
  if (magic.equals(MAGIC)) return sodiumStreamCipher(sodium);
  if (magic.equals(MAGIC_GM)) return gmStreamCipher;
  return undefined;
}
const FLUSH_BYTES = 8000;

export interface StreamHeader {
  v: 1;
  callId: string;
  leg: string;
  codec: 'pcmu';
  rate: 8000;
  startedAt: string;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export class RecordingStreamWriter {
  #fd: number;
  #stream: StreamPush;
  #ad: Buffer | null;
  #pending: Buffer[] = [];
  #pendingLen = 0;
  #closed = false;
  chunks = 0;

  /** `suite` picks the cipher (default classic); the file says which, so readers need not be told. */
  constructor(
    path: string,
    sodium: StreamSodium,
    options: { key: Uint8Array; header: StreamHeader; suite?: StreamSuite | undefined },
  ) {
    this.#fd = openSync(path, 'wx', 0o600);
    const json = Buffer.from(JSON.stringify(options.header));
    const gm = options.suite === 'gm';
    const prefix = Buffer.concat([gm ? MAGIC_GM : MAGIC, u32(json.length), json]);
    this.#stream = (gm ? gmStreamCipher : sodiumStreamCipher(sodium)).initPush(options.key);
    this.#ad = prefix;
    writeSync(this.#fd, Buffer.concat([prefix, this.#stream.header]));
  }

  /** Appends audio at a sample position on the call's timeline. */
  append(samplePos: number, ulaw: Buffer): void {
    if (this.#closed || ulaw.length === 0 || ulaw.length > 65535) return;
    const rec = Buffer.allocUnsafe(6 + ulaw.length);
    rec.writeUInt32BE(samplePos >>> 0, 0);
    rec.writeUInt16BE(ulaw.length, 4);
    ulaw.copy(rec, 6);
    this.#pending.push(rec);
    this.#pendingLen += rec.length;
    if (this.#pendingLen >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.#closed || this.#pendingLen === 0) return;
    this.#push(Buffer.concat(this.#pending), false);
  }

  /** Writes the FINAL message and closes; idempotent. */
  finish(): void {
    if (this.#closed) return;
    this.#push(Buffer.concat(this.#pending), true);
    this.#closed = true;
    fsyncSync(this.#fd);
    closeSync(this.#fd);
  }

  #push(plain: Buffer, final: boolean): void {
    const c = this.#stream.push(plain, this.#ad, final);
    this.#ad = null;
    this.#pending = [];
    this.#pendingLen = 0;
    this.chunks++;
    writeSync(this.#fd, Buffer.concat([u32(c.length), c]));
  }
}

export interface DecodedStream {
  header: StreamHeader;
  /** μ-law samples on the timeline (silence where nothing was recorded). */
  ulaw: Buffer;
  truncated: boolean;
  chunks: number;
}

/** Decrypts a leg stream; authentication failure throws, a missing FINAL sets `truncated`. */
export function readRecordingStream(path: string, sodium: StreamSodium, key: Uint8Array): DecodedStream {
  const pull = pullRecording(readFileSync(path), sodium, key);
  for (let step = pull.next(); ; step = pull.next()) if (step.done) return step.value;
}

/**
 * The same, giving the event loop a turn every 32 messages (~256 KB): an hour-long
 * leg takes seconds to decrypt, and SIP and HTTP must not wait that long.
 */
export async function readRecordingStreamAsync(
  path: string,
  sodium: StreamSodium,
  key: Uint8Array,
): Promise<DecodedStream> {
  const pull = pullRecording(await readFile(path), sodium, key);
  for (let step = pull.next(), n = 0; ; step = pull.next(), n++) {
    if (step.done) return step.value;
    if (n % 32 === 31) await new Promise((r) => setImmediate(r));
  }
}

/** Yields once per decrypted message; returns the decoded stream. */
function* pullRecording(buf: Buffer, sodium: StreamSodium, key: Uint8Array): Generator<void, DecodedStream> {
  const cipher = buf.length < 12 ? undefined : cipherFor(buf.subarray(0, 8), sodium);
  if (!cipher) throw new RangeError('not a recording stream');
  const hlen = buf.readUInt32BE(8);
  const prefix = buf.subarray(0, 12 + hlen);
  const header = JSON.parse(prefix.subarray(12).toString('utf8')) as StreamHeader;
  let off = 12 + hlen;
  const hb = cipher.headerBytes;
  if (buf.length < off + hb) return { header, ulaw: Buffer.alloc(0), truncated: true, chunks: 0 };
  const pull = cipher.initPull(buf.subarray(off, off + hb), key);
  off += hb;
  let ad: Buffer | null = prefix;
  const records: Array<[number, Buffer]> = [];
  let final = false;
  let chunks = 0;
  while (off + 4 <= buf.length && !final) {
    const len = buf.readUInt32BE(off);
    if (off + 4 + len > buf.length) break;
    const r = pull(buf.subarray(off + 4, off + 4 + len), ad);
    if (!r) throw new RangeError('recording stream failed authentication');
    ad = null;
    off += 4 + len;
    chunks++;
    final = r.final;
    const m = Buffer.from(r.message);
    for (let p = 0; p + 6 <= m.length; ) {
      const pos = m.readUInt32BE(p);
      const n = m.readUInt16BE(p + 4);
      records.push([pos, m.subarray(p + 6, p + 6 + n)]);
      p += 6 + n;
    }
    yield;
  }
  const total = records.reduce((mx, [pos, b]) => Math.max(mx, pos + b.length), 0);
  const ulaw = Buffer.alloc(Math.min(total, 8000 * 60 * 60 * 4), 0xff);
  for (const [pos, b] of records) if (pos + b.length <= ulaw.length) b.copy(ulaw, pos);
  return { header, ulaw, truncated: !final, chunks };
}
