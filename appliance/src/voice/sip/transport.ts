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

export interface Peer {
  host: string;
  port: number;
}

export type RequestHandler = (req: SipRequest, from: Peer) => Promise<void> | void;

interface ClientTx {
  resolve: (r: SipResponse) => void;
  onProvisional: ((r: SipResponse) => void) | undefined;
  timers: NodeJS.Timeout[];
  gotProvisional: boolean;
}

const T1 = 500;

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
  #stats = { received: 0, malformed: 0, dropped: 0, handlerErrors: 0 };

  constructor(handler: RequestHandler, options: { guard: SourceGuard; logger: Logger }) {
    this.#handler = handler;
    this.#guard = options.guard;
    this.#logger = options.logger;
  }

  get stats(): { received: number; malformed: number; dropped: number; handlerErrors: number } {
    return { ...this.#stats };
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

  #receive(buf: Buffer, from: Peer): void {
    this.#stats.received++;
    if (!this.#guard.admit(from.host)) {
      this.#stats.dropped++;
      return;
    }
    let msg: SipMessage;
    try {
      msg = parseSip(buf);
    } catch {
      this.#stats.malformed++;
      return;
    }
    if (msg.kind === 'response') {
      this.#onResponse(msg);
      return;
    }
    try {
      Promise.resolve(this.#handler(msg, from)).catch((e: unknown) => this.#handlerError(e));
    } catch (e) {
      this.#handlerError(e);
    }
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
    const local = this.local;
    req.headers.set('via', [`SIP/2.0/UDP ${local.host}:${local.port};branch=${branch};rport`]);
    const wire = serializeSip(req);
    return new Promise((resolve) => {
      const tx: ClientTx = {
        resolve,
        onProvisional: options.onProvisional,
        timers: [],
        gotProvisional: false,
      };
      this.#clientTx.set(branch, tx);
      const sendOnce = () => this.#socket?.send(wire, to.port, to.host);
      sendOnce();
      let delay = T1;
      let elapsed = 0;
      while (elapsed + delay < 32_000) {
        elapsed += delay;
        tx.timers.push(setTimeout(sendOnce, elapsed));
        delay = Math.min(delay * 2, 4000);
      }
      tx.timers.push(setTimeout(() => this.#finishTx(branch, 408), 32_000));
    });
  }

  close(): void {
    for (const b of [...this.#clientTx.keys()]) this.#finishTx(b, 408);
    try {
      this.#socket?.close();
    } catch {
      // already closed
    }
    this.#socket = undefined;
  }
}
