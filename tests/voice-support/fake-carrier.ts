import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { parseSip, type SipRequest, serializeSip } from '../../appliance/src/voice/index.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/**
 * STAND-IN for a PSTN carrier (not a real one): a UDP UAS that challenges
 * REGISTER with 401 and INVITE with 407 (MD5, qop=auth), checks the digest
 * against its one user, grants registrations for `expires` seconds and
 * answers authorised INVITEs with 200 + SDP (after
 * a 180 and `ringMs` when set). It records what it saw.
 */
export class FakeCarrier {
  readonly seen: Array<{ method: string; authorized: boolean; uri: string }> = [];
  registrations = 0;
  /** The RTP port the last INVITE's SDP offered (where the carrier's media would go). */
  offerPort = 0;
  /** When set, an authorised INVITE gets 180 Ringing first and its 200 this much later. */
  ringMs = 0;
  #s: Socket = createSocket('udp4');
  #nonce = randomBytes(8).toString('hex');
  #o: { user: string; password: string; realm: string; expires: number; rtpPort: number };

  constructor(o: { user: string; password: string; expires: number; rtpPort: number }) {
    this.#o = { ...o, realm: 'carrier.test' };
  }

  async start(): Promise<{ host: string; port: number }> {
    await new Promise<void>((r) => this.#s.bind(0, '127.0.0.1', r));
    this.#s.on('message', (m, r) => this.#on(m, { host: r.address, port: r.port }));
    return { host: '127.0.0.1', port: this.#s.address().port };
  }

  #check(req: SipRequest, name: string): boolean {
    const v = req.headers.get(name)?.[0] ?? '';
    const p = new Map([...v.matchAll(/(\w+)="?([^",]+)"?/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
    if (p.get('username') !== this.#o.user || p.get('nonce') !== this.#nonce) return false;
    const h1 = md5(`${this.#o.user}:${this.#o.realm}:${this.#o.password}`);
    const h2 = md5(`${req.method}:${p.get('uri')}`);
    return p.get('response') === md5(`${h1}:${this.#nonce}:${p.get('nc')}:${p.get('cnonce')}:auth:${h2}`);
  }

  #on(buf: Buffer, from: { host: string; port: number }): boolean {
    let req: ReturnType<typeof parseSip>;
    try {
      req = parseSip(buf);
    } catch {
      return false;
    }
    if (req.kind !== 'request') return false;
    const authName = req.method === 'REGISTER' ? 'authorization' : 'proxy-authorization';
    const authorized = this.#check(req, authName);
    this.seen.push({ method: req.method, authorized, uri: req.uri });
    const reply = (status: number, reason: string, extra: Array<[string, string]> = [], body = '') => {
      const headers = new Map<string, string[]>();
      for (const h of ['via', 'from', 'to', 'call-id', 'cseq'])
        headers.set(h, [...(req.headers.get(h) ?? [])]);
      if (status > 100 && req.method === 'INVITE')
        headers.set('to', [`${headers.get('to')?.[0]};tag=carrier1`]);
      for (const [k, v] of extra) headers.set(k, [v]);
      const res = { kind: 'response' as const, status, reason, headers, body: Buffer.from(body) };
      this.#s.send(serializeSip(res), from.port, from.host);
      return true;
    };
    const challenge = `Digest realm="${this.#o.realm}", nonce="${this.#nonce}", algorithm=MD5, qop="auth"`;
    if (req.method === 'REGISTER') {
      if (!authorized) return reply(401, 'Unauthorized', [['www-authenticate', challenge]]);
      this.registrations++;
      return reply(200, 'OK', [['contact', `${req.headers.get('contact')?.[0]};expires=${this.#o.expires}`]]);
    }
    if (req.method === 'INVITE') {
      this.offerPort = Number(/m=audio (\d+)/.exec(req.body.toString('latin1'))?.[1] ?? this.offerPort);
      if (!authorized)
        return reply(407, 'Proxy Authentication Required', [['proxy-authenticate', challenge]]);
      if (this.ringMs > 0) {
        reply(180, 'Ringing');
        const ms = this.ringMs;
        setTimeout(() => this.#answer(reply), ms);
        return true;
      }
      return this.#answer(reply);
    }
    if (req.method === 'BYE') return reply(200, 'OK');
    return false;
  }

  #answer(reply: (status: number, reason: string, extra: Array<[string, string]>, body: string) => boolean) {
    const sdp = `v=0\r\no=c 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${this.#o.rtpPort} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n`;
    const contact = `<sip:pstn@127.0.0.1:${this.#s.address().port}>`;
    return reply(
      200,
      'OK',
      [
        ['contact', contact],
        ['content-type', 'application/sdp'],
      ],
      sdp,
    );
  }

  close(): void {
    this.#s.close();
  }
}
