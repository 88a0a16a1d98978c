import { sipRequest } from './util.ts';

/** Deterministic PRNG so a failing corpus can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  () => sipRequest('OPTIONS', 'sip:127.0.0.1'),
  () => sipRequest('INVITE', 'sip:4000@127.0.0.1', { sdp: true }),
  () =>
    sipRequest('REGISTER', 'sip:127.0.0.1', {
      user: 'agent1',
      auth: 'Digest username="agent1", realm="branchline", nonce="x.y.z", uri="sip:127.0.0.1", response="00", algorithm=SHA-256',
    }),
  () => sipRequest('BYE', 'sip:4000@127.0.0.1'),
  () =>
    'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: r\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
];

/** Mutated SIP messages: truncation, bit flips, header duplication, huge headers, bad Content-Length, garbage. */
export function* mutations(count: number, seed: number): Generator<Buffer> {
  const r = rng(seed);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)] as T;
  for (let i = 0; i < count; i++) {
    let b = Buffer.from(pick(SEEDS)(), 'latin1');
    const ops = 1 + Math.floor(r() * 3);
    for (let k = 0; k < ops; k++) {
      const op = Math.floor(r() * 8);
      const text = b.toString('latin1');
      const lines = text.split('\r\n');
      if (op === 0) b = b.subarray(0, Math.floor(r() * b.length));
      else if (op === 1) {
        b = Buffer.from(b);
        for (let j = 0; j < 1 + r() * 8; j++) {
          const at = Math.floor(r() * b.length);
          b[at] = (b[at] ?? 0) ^ (1 << Math.floor(r() * 8));
        }
      } else if (op === 2) {
        const at = 1 + Math.floor(r() * Math.max(1, lines.length - 3));
        lines.splice(at, 0, lines[at] ?? '');
        b = Buffer.from(lines.join('\r\n'), 'latin1');
      } else if (op === 3) {
        lines.splice(1, 0, `X-Huge: ${'A'.repeat(Math.floor(r() * 70_000))}`);
        b = Buffer.from(lines.join('\r\n'), 'latin1');
      } else if (op === 4) {
        b = Buffer.from(
          text.replace(
            /Content-Length: \d+/i,
            `Content-Length: ${pick(['-1', '99999999', 'abc', '100', ''])}`,
          ),
          'latin1',
        );
      } else if (op === 5)
        b = Buffer.from(Array.from({ length: Math.floor(r() * 2000) }, () => Math.floor(r() * 256)));
      else if (op === 6) b = Buffer.from(text.replace(/\r\n/g, pick(['\n', '\r', '\r\n\r\n', ''])), 'latin1');
      else
        b = Buffer.from(
          text.replace(/<sip:[^>]*>/, pick(['<', '<sip:', `<sip:${'%'.repeat(500)}@>`, '<sips:[::1'])),
          'latin1',
        );
    }
    if (b.length > 60_000) b = b.subarray(0, 60_000);
    yield b;
  }
}
