import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../../logging/index.ts';
import type { SourceGuard } from './guard.ts';
import {
  header,
  parseSip,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  serializeSip,
} from './message.ts';
import { SipStreams, type StreamKind, type StreamLimits } from './stream.ts';

export interface Peer {
  host: string;
  port: number;
  /** Absent = UDP. Stream peers are answered on their own connection. */
  transport?: 'udp' | 'tcp' | 'tls';
}

/** Options of the stream (TCP/TLS) listeners beside the UDP socket. */
export interface StreamListenOptions {
  /** TCP port; absent = the UDP port number (0 = ephemeral). */
  tcpPort?: number;
  /** TLS listener: port (0 = ephemeral) and key/cert PEM; absent = no TLS. */
  tls?: { port: number; key: string | Buffer; cert: string | Buffer; ca?: string | Buffer };
  limits?: StreamLimits;
}

export type RequestHandler = (req: SipRequest, from: Peer) => Promise<void> | void;

interface ClientTx {
  resolve: (r: SipResponse) => void;
  onProvisional: ((r: SipResponse) => void) | undefined;
  timers: NodeJS.Timeout[];
  gotProvisional: boolean;
}

const T1 = 500;

/** What a carrier trunk sends: calls, in-dialog requests, keep-alives. REGISTER and the rest are anonymous. */
const TRUNK_METHODS = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'PRACK',
  'UPDATE',
  'INFO',
  'NOTIFY',
]);

/**
 * SIP over UDP: parsing behind a guard (rate limit, block list, size cap), client
 * transactions with retransmission, and a send path. Nothing a peer sends can
 * throw out of the socket handler.
 */
export class SipTransport {
  #socket: Socket | undefined;
  #handler: RequestHandler;
  #guard: SourceGuard;
  #logger: Logger;
  #clientTx = new Map<string, ClientTx>();
  #stats = { received: 0, malformed: 0, dropped: 0, handlerErrors: 0, streamsClosed: 0 };
  #streams: SipStreams | undefined;
  #streamAddr: Partial<Record<StreamKind, Peer>> = {};
  #trunks: ReadonlySet<string>;

  /** `trunks`: addresses of configured trunks, whose own traffic has its own budget (see SourceGuard). */
  constructor(
    handler: RequestHandler,
    options: { guard: SourceGuard; logger: Logger; trunks?: readonly string[] },
  ) {
    this.#handler = handler;
    this.#guard = options.guard;
    this.#logger = options.logger;
    this.#trunks = new Set(options.trunks ?? []);
  }

  get stats(): {
    received: number;
    malformed: number;
    dropped: number;
    handlerErrors: number;
    streamsClosed: number;
  } {
    return { ...this.#stats };
  }

  /** Opens TCP (and optionally TLS) listeners; call after `listen()` so TCP can share the UDP port number. */
  async listenStreams(
    host: string,
    options: StreamListenOptions = {},
  ): Promise<Partial<Record<StreamKind, Peer>>> {
    const streams = new SipStreams({
      guard: this.#guard,
      logger: this.#logger,
      trunks: this.#trunks,
      ...(options.limits ? { limits: options.limits } : {}),
      onMessage: (buf, from) => (this.#receive(buf, from) === 'malformed' ? 'malformed' : 'ok'),
      onClosed: () => void this.#stats.streamsClosed++,
    });
    this.#streams = streams;
    const want = options.tcpPort ?? this.#socket?.address().port ?? 0;
    // An ephemeral UDP port's number may be taken on TCP; a busy stream port never stops UDP service.
    const tcp = await streams.listen('tcp', want, host).catch((e: Error) => {
      this.#logger.warn('sip tcp port busy, using an ephemeral one', { port: want, error: e.message });
      return streams.listen('tcp', 0, host);
    });
    this.#streamAddr.tcp = { ...tcp, transport: 'tcp' };
    if (options.tls) {
      const tlsOpts = options.tls;
      const tls = await streams.listen('tls', tlsOpts.port, host, tlsOpts).catch((e: Error) => {
        this.#logger.warn('sip tls listener not started', { port: tlsOpts.port, error: e.message });
        return undefined;
      });
      if (tls) this.#streamAddr.tls = { ...tls, transport: 'tls' };
    }
    return { ...this.#streamAddr };
  }

  /** The stream listeners that are up (TCP, and TLS when it started). */
  get streamListeners(): Partial<Record<StreamKind, Peer>> {
    return { ...this.#streamAddr };
  }

  /** Where we listen for a transport (the UDP address when there is no stream listener). */
  localFor(peer: Peer | undefined): Peer {
    const t = peer?.transport;
    if (t === 'tcp' || t === 'tls') {
      const a = this.#streamAddr[t];
      if (a) return a;
    }
    return this.local;
  }

  /** A Via header value for a request we send to `peer` over its transport. */
  via(peer: Peer | undefined, branch: string): string {
    const l = this.localFor(peer);
    const proto = (peer?.transport ?? 'udp').toUpperCase();
    return `SIP/2.0/${proto} ${l.host}:${l.port};branch=${branch}${proto === 'UDP' ? ';rport' : ''}`;
  }

  listen(port: number, host: string): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(port, host, () => {
        s.off('error', reject);
        s.on('error', (e) => this.#logger.warn('sip socket error', { error: e.message }));
        s.on('message', (msg, rinfo) => this.#receive(msg, { host: rinfo.address, port: rinfo.port }));
        this.#socket = s;
        const a = s.address();
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  get local(): Peer {
    const a = this.#socket?.address();
    if (!a) throw new Error('SIP transport not listening');
    return { host: a.address, port: a.port };
  }

  #receive(buf: Buffer, from: Peer): 'ok' | 'dropped' | 'malformed' {
    this.#stats.received++;
    const trunk = this.#trunks.has(from.host);
    // Anonymous sources are counted before parsing, so a flood costs no parse work.
    if (!trunk && !this.#guard.admit(from.host)) {
      this.#stats.dropped++;
      return 'dropped';
    }
    let msg: SipMessage;
    try {
      msg = parseSip(buf);
    } catch {
      if (trunk) this.#guard.admit(from.host);
      this.#stats.malformed++;
      return 'malformed';
    }
    if (trunk) {
      const own = msg.kind === 'response' || TRUNK_METHODS.has(msg.method);
      if (!this.#guard.admit(from.host, own ? 'trunk' : 'anonymous')) {
        this.#stats.dropped++;
        return 'dropped';
      }
    }
    if (msg.kind === 'response') {
      this.#onResponse(msg);
      return 'ok';
    }
    try {
      Promise.resolve(this.#handler(msg, from)).catch((e: unknown) => this.#handlerError(e));
    } catch (e) {
      this.#handlerError(e);
    }
    return 'ok';
  }

  #handlerError(e: unknown): void {
    this.#stats.handlerErrors++;
    this.#logger.warn('sip handler failed', { error: e instanceof Error ? e.message : String(e) });
  }

  #onResponse(res: SipResponse): void {
    const branch = /;\s*branch=([^;,\s]+)/i.exec(header(res, 'via') ?? '')?.[1];
    const tx = branch ? this.#clientTx.get(branch) : undefined;
    if (!tx || !branch) return;
    if (res.status < 200) {
      if (!tx.gotProvisional) {
        tx.gotProvisional = true;
        for (const t of tx.timers) clearTimeout(t);
        tx.timers = [setTimeout(() => this.#finishTx(branch, 408), 120_000)];
      }
      tx.onProvisional?.(res);
      return;
    }
    this.#finishTx(branch, res);
  }

  #finishTx(branch: string, res: SipResponse | number): void {
    const tx = this.#clientTx.get(branch);
    if (!tx) return;
    this.#clientTx.delete(branch);
    for (const t of tx.timers) clearTimeout(t);
    tx.resolve(
      typeof res === 'number'
        ? {
            kind: 'response',
            status: res,
            reason: 'Request Timeout',
            headers: new Map(),
            body: Buffer.alloc(0),
          }
        : res,
    );
  }

  send(msg: SipMessage, to: Peer): void {
    if (to.transport === 'tcp' || to.transport === 'tls') {
      this.#streams?.send({ host: to.host, port: to.port, transport: to.transport }, serializeSip(msg));
      return;
    }
    const s = this.#socket;
    if (!s) return;
    s.send(serializeSip(msg), to.port, to.host);
  }

  newBranch(): string {
    return `z9hG4bK${randomBytes(8).toString('hex')}`;
  }

  /** Sends a request with a fresh top Via and resolves with its final response (408 after timeout). */
  request(
    req: SipRequest,
    to: Peer,
    options: { onProvisional?: (r: SipResponse) => void } = {},
  ): Promise<SipResponse> {
    const branch = this.newBranch();
    req.headers.set('via', [this.via(to, branch)]);
    const wire = serializeSip(req);
    const stream = to.transport === 'tcp' || to.transport === 'tls';
    return new Promise((resolve) => {
      const tx: ClientTx = {
        resolve,
        onProvisional: options.onProvisional,
        timers: [],
        gotProvisional: false,
      };
      this.#clientTx.set(branch, tx);
      const sendOnce = () => this.#socket?.send(wire, to.port, to.host);
      if (stream)
        this.#streams?.send({ host: to.host, port: to.port, transport: to.transport as StreamKind }, wire);
      else sendOnce();
      let delay = T1;
      let elapsed = 0;
      // Reliable transports are not retransmitted (RFC 3261 §17.1.1.2); timer B still applies.
      while (!stream && elapsed + delay < 32_000) {
        elapsed += delay;
        tx.timers.push(setTimeout(sendOnce, elapsed));
        delay = Math.min(delay * 2, 4000);
      }
      tx.timers.push(setTimeout(() => this.#finishTx(branch, 408), 32_000));
    });
  }

  close(): void {
    for (const b of [...this.#clientTx.keys()]) this.#finishTx(b, 408);
    this.#streams?.close();
    this.#streams = undefined;
    try {
      this.#socket?.close();
    } catch {
      // already closed
    }
    this.#socket = undefined;
  }
}
