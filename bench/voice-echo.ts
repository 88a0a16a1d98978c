// The bench's RTP echo agent (forked by bench/voice.ts): a SIP UAS that answers every INVITE with
// PCMU, echoes each RTP packet to its sender, and measures what arrives (RFC 3550 loss and
// interarrival jitter per call). It runs in its own process so its event loop does not share the
// appliance's. IPC: 'port' → {port}; 'reset' → {}; 'report' → aggregate over calls since reset.
import { createSocket, type Socket } from 'node:dgram';

interface CallStats {
  sock: Socket;
  answer: string;
  base: number | undefined;
  max: number;
  cycles: number;
  received: number;
  jitter: number;
  lastTransit: number | undefined;
  done: boolean;
}

const calls = new Map<string, CallStats>();
let finished: CallStats[] = [];
const sip = createSocket('udp4');

function onRtp(c: CallStats, m: Buffer, rinfo: { address: string; port: number }): void {
  if (m.length < 12) return;
  c.sock.send(m, rinfo.port, rinfo.address);
  if ((m[1] ?? 0) & 0x7f) return;
  const seq = m.readUInt16BE(2);
  const ts = m.readUInt32BE(4);
  c.received++;
  if (c.base === undefined) {
    c.base = seq;
    c.max = seq;
  } else {
    const d = (seq - c.max + 0x10000) & 0xffff;
    if (d > 0 && d < 0x8000) {
      if (seq < c.max) c.cycles += 0x10000;
      c.max = seq;
    }
  }
  const transit = performance.now() * 8 - ts;
  if (c.lastTransit !== undefined) {
    const d = Math.abs(transit - c.lastTransit);
    if (d < 80_000) c.jitter += (d - c.jitter) / 16;
  }
  c.lastTransit = transit;
}

function reply(
  req: string,
  status: string,
  to: { address: string; port: number },
  body = '',
  tag = '',
): void {
  const keep = req
    .split('\r\n')
    .filter((l) => /^(via|from|to|call-id|cseq):/i.test(l))
    .map((l) => (tag && /^to:/i.test(l) && !/;tag=/i.test(l) ? `${l};tag=${tag}` : l));
  const lines = [
    `SIP/2.0 ${status}`,
    ...keep,
    `Contact: <sip:echo@127.0.0.1:${sip.address().port}>`,
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  sip.send(lines.join('\r\n'), to.port, to.address);
}

sip.on('message', (buf, rinfo) => {
  const text = buf.toString('latin1');
  const method = /^([A-Z]+) /.exec(text)?.[1];
  const callId = /^call-id:\s*(.+)$/im.exec(text)?.[1]?.trim() ?? '';
  if (!method) return;
  if (method === 'INVITE') {
    const existing = calls.get(callId);
    if (existing) {
      reply(text, '200 OK', rinfo, existing.answer, 'echo');
      return;
    }
    const sock = createSocket('udp4');
    sock.bind(0, '127.0.0.1', () => {
      const port = sock.address().port;
      const answer = `v=0\r\no=echo 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n`;
      const c: CallStats = {
        sock,
        answer,
        base: undefined,
        max: 0,
        cycles: 0,
        received: 0,
        jitter: 0,
        lastTransit: undefined,
        done: false,
      };
      sock.on('message', (m, r) => onRtp(c, m, r));
      calls.set(callId, c);
      reply(text, '200 OK', rinfo, answer, 'echo');
    });
  } else if (method === 'BYE') {
    reply(text, '200 OK', rinfo);
    const c = calls.get(callId);
    if (c && !c.done) {
      c.done = true;
      c.sock.close();
      finished.push(c);
      calls.delete(callId);
    }
  } else if (method !== 'ACK') reply(text, '200 OK', rinfo);
});

function report() {
  const all = [...finished, ...calls.values()].filter((c) => c.base !== undefined);
  let expected = 0;
  let received = 0;
  const jit: number[] = [];
  for (const c of all) {
    expected += c.cycles + c.max - (c.base ?? 0) + 1;
    received += c.received;
    jit.push(c.jitter / 8);
  }
  jit.sort((a, b) => a - b);
  const mean = jit.reduce((s, v) => s + v, 0) / Math.max(1, jit.length);
  return {
    calls: all.length,
    expected,
    received,
    lossPct: expected > 0 ? (Math.max(0, expected - received) / expected) * 100 : 100,
    jitterMeanMs: mean,
    jitterP95Ms: jit[Math.floor(jit.length * 0.95)] ?? 0,
  };
}

process.on('message', (m: unknown) => {
  if (m === 'reset') {
    finished = [];
    process.send?.({ ok: true });
  } else if (m === 'report') process.send?.(report());
});
process.on('disconnect', () => process.exit(0));
sip.bind(0, '127.0.0.1', () => process.send?.({ port: sip.address().port }));
