import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';

const ULAW = new Int16Array(256);
for (let i = 0; i < 256; i++) {
  const u = ~i & 0xff;
  const mag = (((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7);
  ULAW[i] = u & 0x80 ? 0x84 - mag : mag - 0x84;
}

export function decodeUlawBuf(b: Buffer): Int16Array {
  const out = new Int16Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = ULAW[b[i] ?? 0xff] ?? 0;
  return out;
}

export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 100_000, ...opts }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} failed: ${err.message}\n${stdout}\n${stderr}`.slice(0, 3000)));
      else resolve(stdout);
    });
  });
}

/**
 * Best normalised cross-correlation of a loud 0.5 s window of `recorded`
 * against `source` (treated as looping), over every lag.
 */
export function bestCorrelation(recorded: Int16Array, source: Int16Array): number {
  const W = 4000;
  let bestStart = -1;
  let bestE = 0;
  for (let s = 0; s + W <= recorded.length; s += 800) {
    let e = 0;
    for (let i = s; i < s + W; i++) e += (recorded[i] ?? 0) ** 2;
    if (e > bestE) {
      bestE = e;
      bestStart = s;
    }
  }
  if (bestStart < 0) return 0;
  const win = recorded.subarray(bestStart, bestStart + W);
  const n = source.length;
  let best = 0;
  for (let lag = 0; lag < n; lag++) {
    let xy = 0;
    let yy = 0;
    for (let i = 0; i < W; i++) {
      const y = source[(lag + i) % n] ?? 0;
      xy += (win[i] ?? 0) * y;
      yy += y * y;
    }
    const c = xy / Math.sqrt(bestE * yy || 1);
    if (c > best) best = c;
  }
  return best;
}

/**
 * RFC 4733 telephone-event packets for one digit (3 updates, 3 end packets).
 * Pass the socket the caller's audio comes from: the appliance takes media
 * from one source per leg (strict RTP), as a phone sends its events in-stream.
 */
export async function sendDtmf(
  digit: string,
  to: { host: string; port: number },
  options: { from?: Socket } = {},
): Promise<void> {
  const s = options.from ?? createSocket('udp4');
  const ev = '0123456789*#'.indexOf(digit);
  const ts = 123456;
  for (let i = 0; i < 6; i++) {
    const p = Buffer.alloc(16);
    p[0] = 0x80;
    p[1] = (i === 0 ? 0x80 : 0) | 101;
    p.writeUInt16BE(1000 + i, 2);
    p.writeUInt32BE(ts, 4);
    p.writeUInt32BE(0xdead, 8);
    p[12] = ev;
    p[13] = (i >= 3 ? 0x80 : 0) | 10;
    p.writeUInt16BE(160 * (i + 1), 14);
    await new Promise<void>((r) => s.send(p, to.port, to.host, () => r()));
    await new Promise((r) => setTimeout(r, 20));
  }
  if (!options.from) s.close();
}

let seq = 0;
export function sipRequest(
  method: string,
  uri: string,
  o: { user?: string; auth?: string; sdp?: boolean } = {},
): string {
  seq++;
  const user = o.user ?? 'scanner';
  const body = o.sdp
    ? 'v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n'
    : '';
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKt${seq}`,
    `From: <sip:${user}@127.0.0.1>;tag=t${seq}`,
    `To: <sip:${user}@127.0.0.1>`,
    `Call-ID: test-${seq}-${Math.random()}`,
    `CSeq: 1 ${method}`,
    `Contact: <sip:${user}@127.0.0.1:5999>`,
    ...(o.auth ? [`Authorization: ${o.auth}`] : []),
    ...(o.sdp ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** Sends one datagram from `fromHost` and returns the first final (or any) response text, or undefined on timeout. */
export async function udpExchange(
  fromHost: string,
  to: { host: string; port: number },
  text: string,
  timeoutMs = 5000,
): Promise<string | undefined> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, fromHost, r));
  try {
    return await new Promise<string | undefined>((resolve) => {
      const t = setTimeout(() => resolve(undefined), timeoutMs);
      s.on('message', (m) => {
        const str = m.toString('latin1');
        if (/^SIP\/2\.0 1\d\d/.test(str)) return;
        clearTimeout(t);
        resolve(str);
      });
      s.send(text, to.port, to.host);
    });
  } finally {
    s.close();
  }
}

/**
 * Writes 4 s of a rising 300–1200 Hz sine with tremolo as raw μ-law: an "agent voice"
 * distinct from the caller's, so correlation can tell the legs apart.
 */
export async function synthAgentSweep(file: string): Promise<void> {
  await run(
    'sox',
    ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', '-t', 'ul', file].concat([
      'synth',
      '4',
      'sine',
      '300-1200',
      'tremolo',
      '3',
      '80',
    ]),
  );
}

/** Normalised magnitude of `freq` in `pcm` (1 = a pure tone at that frequency). */
export function toneShare(pcm: ArrayLike<number>, freq: number, rate: number): number {
  let re = 0;
  let im = 0;
  let energy = 0;
  for (let i = 0; i < pcm.length; i++) {
    const v = pcm[i] ?? 0;
    re += v * Math.cos((2 * Math.PI * freq * i) / rate);
    im += v * Math.sin((2 * Math.PI * freq * i) / rate);
    energy += v * v;
  }
  return energy === 0 ? 0 : (2 * Math.sqrt(re * re + im * im)) / Math.sqrt(2 * energy * pcm.length);
}
