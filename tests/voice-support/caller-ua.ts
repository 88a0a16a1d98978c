import { createSocket, type Socket } from 'node:dgram';
import { parseSip, type SipResponse } from '../../appliance/src/voice/index.ts';

/** A tiny test trunk caller: INVITEs, streams a μ-law buffer, keeps what it hears (with arrival times), re-INVITEs. */
export class CallerUa {
  sip!: Socket;
  rtp!: Socket;
  heard: Array<{ at: number; payload: Buffer }> = [];
  #server: { host: string; port: number };
  #audio: Buffer;
  #timer: NodeJS.Timeout | undefined;
  #remote: { host: string; port: number } | undefined;
  #callId = `caller-${Math.random().toString(36).slice(2)}`;
  #toTag = '';
  #cseq = 1;
  #waiters = new Map<string, (r: SipResponse) => void>();

  constructor(server: { host: string; port: number }, audio: Buffer) {
    this.#server = server;
    this.#audio = audio;
  }

  async start(): Promise<void> {
    this.sip = createSocket('udp4');
    this.rtp = createSocket('udp4');
    await new Promise<void>((r) => this.sip.bind(0, '127.0.0.1', r));
    await new Promise<void>((r) => this.rtp.bind(0, '127.0.0.1', r));
    this.rtp.on('message', (m) => {
      if (m.length > 12 && ((m[1] ?? 0) & 0x7f) === 0)
        this.heard.push({ at: Date.now(), payload: Buffer.from(m.subarray(12)) });
    });
    this.sip.on('message', (m) => {
      const msg = parseSip(m);
      if (msg.kind === 'response') {
        if (msg.status < 200) return;
        const cseq = msg.headers.get('cseq')?.[0] ?? '';
        this.#waiters.get(cseq)?.(msg);
        this.#waiters.delete(cseq);
      } else if (msg.method === 'BYE') {
        const h = ['via', 'from', 'to', 'call-id', 'cseq'].map((k) => `${k}: ${msg.headers.get(k)?.[0]}`);
        this.sip.send(
          `SIP/2.0 200 OK\r\n${h.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`,
          this.#server.port,
          this.#server.host,
        );
      }
    });
  }

  /** Everything heard since `since` (ms epoch), as μ-law. */
  heardSince(since: number): Buffer {
    return Buffer.concat(this.heard.filter((h) => h.at >= since).map((h) => h.payload));
  }

  #request(method: string, o: { sdp?: string } = {}): Promise<SipResponse> {
    const cseq = method === 'ACK' ? this.#cseq : ++this.#cseq;
    const p = this.sip.address().port;
    const body = o.sdp ?? '';
    const lines = [
      `${method} sip:4000@${this.#server.host}:${this.#server.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${p};branch=z9hG4bK${Math.random().toString(36).slice(2)}`,
      `From: <sip:+8613800138000@127.0.0.1:${p}>;tag=callertag`,
      `To: <sip:4000@${this.#server.host}:${this.#server.port}>${this.#toTag ? `;tag=${this.#toTag}` : ''}`,
      `Call-ID: ${this.#callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:caller@127.0.0.1:${p}>`,
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ];
    const done = new Promise<SipResponse>((r) => this.#waiters.set(`${cseq} ${method}`, r));
    this.sip.send(lines.join('\r\n'), this.#server.port, this.#server.host);
    return done;
  }

  sdp(direction = 'sendrecv'): string {
    const rp = this.rtp.address().port;
    return `v=0\r\no=caller 1 ${this.#cseq} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${rp} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=${direction}\r\n`;
  }

  async call(): Promise<number> {
    const res = await this.#request('INVITE', { sdp: this.sdp() });
    if (res.status !== 200) return res.status;
    this.#toTag = /;\s*tag=([^;\s]+)/.exec(res.headers.get('to')?.[0] ?? '')?.[1] ?? '';
    this.#remote = { host: '127.0.0.1', port: Number(/m=audio (\d+)/.exec(res.body.toString())?.[1]) };
    void this.#request('ACK');
    this.#stream();
    return 200;
  }

  /** An in-dialog re-INVITE with the given direction; resolves with the answer SDP. */
  async reinvite(direction: string): Promise<{ status: number; sdp: string }> {
    const res = await this.#request('INVITE', { sdp: this.sdp(direction) });
    void this.#request('ACK');
    return { status: res.status, sdp: res.body.toString() };
  }

  async bye(): Promise<number> {
    if (this.#timer) clearInterval(this.#timer);
    return (await this.#request('BYE')).status;
  }

  #stream(): void {
    let seq = 0;
    const started = Date.now();
    this.#timer = setInterval(() => {
      const due = Math.floor((Date.now() - started) / 20);
      for (; seq <= due; seq++) {
        const remote = this.#remote;
        if (!remote) return;
        const off = (seq * 160) % (this.#audio.length - 160);
        const p = Buffer.alloc(172);
        p[0] = 0x80;
        p.writeUInt16BE(seq & 0xffff, 2);
        p.writeUInt32BE(seq * 160, 4);
        p.writeUInt32BE(0xca11, 8);
        this.#audio.copy(p, 12, off, off + 160);
        this.rtp.send(p, remote.port, remote.host);
      }
    }, 20);
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.sip.close();
    this.rtp.close();
  }
}
