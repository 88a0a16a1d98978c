// A minimal SIP-less "phone" for media tests: plain RTP over UDP on loopback.
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';

export interface Endpoint {
  host: string;
  port: number;
}

/** An audio packet as received; `index` and `tag` are what the sender wrote at the start of the payload. */
export interface ReceivedAudio {
  payloadType: number;
  ssrc: number;
  seq: number;
  index: number;
  tag: number;
}

export interface ReceivedDtmf {
  payloadType: number;
  timestamp: number;
  event: number;
  end: boolean;
  duration: number;
}

function rtp(pt: number, seq: number, ts: number, ssrc: number, payload: Buffer, marker = false): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (marker ? 0x80 : 0) | pt;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(ts >>> 0, 4);
  h.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([h, payload]);
}

/** Sends numbered PCMU frames and RFC 4733 digits to `target`; records what it receives. */
export class UdpPhone {
  readonly received: ReceivedAudio[] = [];
  readonly receivedDtmf: ReceivedDtmf[] = [];
  /** Written into every payload, so a receiver can tell who sent a frame (a bridge rewrites the SSRC). */
  readonly tag = randomInt(1, 2 ** 31);
  ssrc = randomInt(1, 2 ** 31);
  target: Endpoint | undefined;
  #socket: dgram.Socket;
  #seq = randomInt(0, 60_000);
  #ts = randomInt(0, 2 ** 31);

  private constructor(socket: dgram.Socket) {
    this.#socket = socket;
    socket.on('message', (m) => this.#onPacket(m));
  }

  static async open(port = 0): Promise<UdpPhone> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpPhone(socket);
  }

  get address(): Endpoint {
    return { host: '127.0.0.1', port: this.#socket.address().port };
  }

  #onPacket(m: Buffer): void {
    if (m.length < 12 || m[0]! >> 6 !== 2) return;
    const pt = m[1]! & 0x7f;
    const cc = m[0]! & 0x0f;
    const ext = (m[0]! & 0x10) !== 0;
    let off = 12 + cc * 4;
    if (ext) off += 4 + m.readUInt16BE(off + 2) * 4;
    const payload = m.subarray(off);
    if (pt === 101 && payload.length >= 4) {
      this.receivedDtmf.push({
        payloadType: pt,
        timestamp: m.readUInt32BE(4),
        event: payload[0]!,
        end: (payload[1]! & 0x80) !== 0,
        duration: payload.readUInt16BE(2),
      });
    } else if (payload.length >= 8) {
      this.received.push({
        payloadType: pt,
        ssrc: m.readUInt32BE(8),
        seq: m.readUInt16BE(2),
        index: payload.readUInt32BE(0),
        tag: payload.readUInt32BE(4),
      });
    }
  }

  #send(packet: Buffer): void {
    if (!this.target) throw new Error('phone has no target');
    this.#socket.send(packet, this.target.port, this.target.host);
  }

  /** `count` 20 ms PCMU frames numbered from `indexBase`, yielding to the event loop every few. */
  async sendAudio(count: number, options: { indexBase?: number } = {}): Promise<void> {
    for (let i = 0; i < count; i++) {
      const payload = Buffer.alloc(160, 0xff);
      payload.writeUInt32BE((options.indexBase ?? 0) + i, 0);
      payload.writeUInt32BE(this.tag, 4);
      this.#send(rtp(0, this.#seq++, this.#ts, this.ssrc, payload));
      this.#ts += 160;
      if (i % 5 === 4) await new Promise((r) => setImmediate(r));
    }
  }

  /** One digit as RFC 4733 sends it: three updates (marker on the first), then the end packet three times. */
  async sendDtmf(digit: number): Promise<void> {
    const ts = this.#ts;
    const durations = [320, 640, 960, 960, 960, 960];
    durations.forEach((d, i) => {
      const p = Buffer.alloc(4);
      p[0] = digit;
      p[1] = (i >= 3 ? 0x80 : 0) | 10;
      p.writeUInt16BE(d, 2);
      this.#send(rtp(101, this.#seq++, ts, this.ssrc, p, i === 0));
    });
    this.#ts += 960;
    await new Promise((r) => setImmediate(r));
  }

  /** Audio frames that `from` sent (by its payload tag), in arrival order. */
  audioFrom(from: UdpPhone): ReceivedAudio[] {
    return this.received.filter((p) => p.tag === from.tag);
  }

  dtmf(): ReceivedDtmf[] {
    return this.receivedDtmf;
  }

  close(): void {
    try {
      this.#socket.close();
    } catch {
      // already closed
    }
  }
}
