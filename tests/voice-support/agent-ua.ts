import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { parseSip, type SipRequest, serializeSip } from '../../appliance/src/voice/index.ts';
import { untilTrue } from '../support/until.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** A tiny test SIP phone: registers with MD5 digest, auto-answers, streams a μ-law buffer, keeps what it hears. */
export class AgentUa {
  sip!: Socket;
  rtp!: Socket;
  received: Buffer[] = [];
  #audio: Buffer;
  #timer: NodeJS.Timeout | undefined;
  #remote: { host: string; port: number } | undefined;
  #server: { host: string; port: number };
  #user: string;
  #password: string;
  byes = 0;
  /** INVITEs this phone answered (the appliance rang it). */
  invites = 0;
  /** A scripted utterance: sent once from packet `from` on, instead of the looping audio. */
  #script: { ulaw: Buffer; from: number } | undefined;
  #seq = 0;

  constructor(
    server: { host: string; port: number },
    opts: { user: string; password: string; audio: Buffer },
  ) {
    this.#server = server;
    this.#user = opts.user;
    this.#password = opts.password;
    this.#audio = opts.audio;
  }

  async start(): Promise<void> {
    this.sip = createSocket('udp4');
    this.rtp = createSocket('udp4');
    await new Promise<void>((r) => this.sip.bind(0, '127.0.0.1', r));
    await new Promise<void>((r) => this.rtp.bind(0, '127.0.0.1', r));
    this.rtp.on('message', (m) => {
      if (m.length > 12 && ((m[1] ?? 0) & 0x7f) === 0) this.received.push(Buffer.from(m.subarray(12)));
    });
    this.sip.on('message', (m, rinfo) => this.#onSip(m, rinfo));
  }

  #pending: ((status: number, msg: ReturnType<typeof parseSip>) => void) | undefined;
  /** The last INVITE answered, for hanging up that dialog. */
  #invite: { req: SipRequest; from: { address: string; port: number } } | undefined;

  /** Hangs up the last answered call: a BYE in its dialog (we are the UAS, so From/To swap). */
  hangup(): void {
    const inv = this.#invite;
    if (!inv) throw new Error('no call to hang up');
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const h = (n: string) => inv.req.headers.get(n)?.[0] ?? '';
    const to = /tag=/.test(h('to')) ? h('to') : `${h('to')};tag=agenttag`;
    const target = /<([^>]+)>/.exec(h('contact'))?.[1] ?? `sip:ivr@${inv.from.address}:${inv.from.port}`;
    const p = this.sip.address().port;
    const lines = [
      `BYE ${target} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${p};branch=z9hG4bK${Math.random().toString(36).slice(2)}`,
      `From: ${to}`,
      `To: ${h('from')}`,
      `Call-ID: ${h('call-id')}`,
      'CSeq: 1 BYE',
      'Max-Forwards: 70',
      'Content-Length: 0',
    ];
    this.sip.send(`${lines.join('\r\n')}\r\n\r\n`, inv.from.port, inv.from.address);
  }

  async register(): Promise<number> {
    const send = (auth?: string) => {
      const p = this.sip.address().port;
      const lines = [
        `REGISTER sip:${this.#server.host}:${this.#server.port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${p};branch=z9hG4bK${Math.random().toString(36).slice(2)}`,
        `From: <sip:${this.#user}@127.0.0.1>;tag=a1`,
        `To: <sip:${this.#user}@127.0.0.1>`,
        'Call-ID: reg-agent-1',
        `CSeq: ${auth ? 2 : 1} REGISTER`,
        `Contact: <sip:${this.#user}@127.0.0.1:${p}>;expires=600`,
        ...(auth ? [`Authorization: ${auth}`] : []),
        'Content-Length: 0',
      ];
      this.sip.send(`${lines.join('\r\n')}\r\n\r\n`, this.#server.port, this.#server.host);
    };
    const wait = () =>
      new Promise<ReturnType<typeof parseSip>>((resolve) => {
        this.#pending = (_s, msg) => resolve(msg);
      });
    let w = wait();
    send();
    const challenge = await w;
    if (challenge.kind !== 'response' || challenge.status !== 401)
      return challenge.kind === 'response' ? challenge.status : 0;
    const md5c = (challenge.headers.get('www-authenticate') ?? []).find((h) => /algorithm=MD5/.test(h)) ?? '';
    const nonce = /nonce="([^"]+)"/.exec(md5c)?.[1] ?? '';
    const realm = /realm="([^"]+)"/.exec(md5c)?.[1] ?? '';
    const uri = `sip:${this.#server.host}:${this.#server.port}`;
    const ha1 = md5(`${this.#user}:${realm}:${this.#password}`);
    const ha2 = md5(`REGISTER:${uri}`);
    const response = md5(`${ha1}:${nonce}:00000001:abc:auth:${ha2}`);
    w = wait();
    send(
      `Digest username="${this.#user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="abc"`,
    );
    const final = await w;
    return final.kind === 'response' ? final.status : 0;
  }

  #onSip(m: Buffer, rinfo: { address: string; port: number }): void {
    const msg = parseSip(m);
    if (msg.kind === 'response') {
      this.#pending?.(msg.status, msg);
      return;
    }
    const reply = (req: SipRequest, status: number, body = '') => {
      const h = new Map<string, string[]>();
      for (const k of ['via', 'from', 'to', 'call-id', 'cseq']) h.set(k, [...(req.headers.get(k) ?? [])]);
      if (!/tag=/.test(h.get('to')?.[0] ?? '')) h.set('to', [`${h.get('to')?.[0]};tag=agenttag`]);
      h.set('contact', [`<sip:${this.#user}@127.0.0.1:${this.sip.address().port}>`]);
      if (body) h.set('content-type', ['application/sdp']);
      this.sip.send(
        serializeSip({ kind: 'response', status, reason: 'OK', headers: h, body: Buffer.from(body) }),
        rinfo.port,
        rinfo.address,
      );
    };
    if (msg.method === 'INVITE') {
      this.invites++;
      this.#invite = { req: msg, from: rinfo };
      const sdp = msg.body.toString();
      const port = Number(/m=audio (\d+)/.exec(sdp)?.[1]);
      this.#remote = { host: '127.0.0.1', port };
      const rp = this.rtp.address().port;
      reply(
        msg,
        200,
        `v=0\r\no=agent 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${rp} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n`,
      );
    } else if (msg.method === 'ACK') this.#stream();
    else if (msg.method === 'BYE') {
      this.byes++;
      reply(msg, 200);
      if (this.#timer) clearInterval(this.#timer);
      // The next call's ACK starts streaming again.
      this.#timer = undefined;
    }
  }

  #stream(): void {
    if (this.#timer || !this.#remote) return;
    this.#script = undefined;
    let seq = 0;
    const started = Date.now();
    this.#timer = setInterval(() => {
      const due = Math.floor((Date.now() - started) / 20);
      for (; seq <= due; seq++) {
        const off = (seq * 160) % (this.#audio.length - 160);
        this.#seq = seq;
        const p = Buffer.alloc(172);
        p[0] = 0x80;
        p[1] = 0;
        p.writeUInt16BE(seq & 0xffff, 2);
        p.writeUInt32BE(seq * 160, 4);
        p.writeUInt32BE(0x1234, 8);
        const script = this.#script;
        if (script && seq >= script.from) {
          p.fill(0xff, 12);
          const at = (seq - script.from) * 160;
          if (at < script.ulaw.length) script.ulaw.copy(p, 12, at, Math.min(at + 160, script.ulaw.length));
        } else this.#audio.copy(p, 12, off, off + 160);
        // Read the target per packet: a re-INVITE may move it (transfer completion).
        const remote = this.#remote;
        if (remote) this.rtp.send(p, remote.port, remote.host);
      }
    }, 20);
  }

  /**
   * Speaks `ulaw` once from the next packet on, then silence (replaces the looping audio
   * for good); resolves when the last packet of it is sent.
   */
  async say(ulaw: Buffer): Promise<void> {
    const from = this.#seq + 1;
    this.#script = { ulaw, from };
    const last = from + Math.ceil(ulaw.length / 160);
    await untilTrue('the scripted utterance sent', () => this.#seq >= last, {
      everyMs: 20,
      timeoutMs: ulaw.length / 8 + 5000,
    });
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.sip.close();
    this.rtp.close();
  }
}
