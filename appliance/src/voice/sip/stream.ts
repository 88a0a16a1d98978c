import { connect as netConnect, createServer as netServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as tlsServer } from 'node:tls';
import type { Logger } from '../../logging/index.ts';
import { SipFramer } from './framing.ts';
import type { SourceGuard } from './guard.ts';

export type StreamKind = 'tcp' | 'tls';

export interface StreamPeer {
  host: string;
  port: number;
  transport: StreamKind;
}

export interface StreamLimits {
  /** Largest message (headers + body) accepted on a connection. */
  maxMessageBytes?: number;
  /** A connection silent for this long is closed (phones send keep-alives). */
  idleMs?: number;
  /** Open connections allowed per source address. */
  maxConnectionsPerSource?: number;
}

export interface StreamOptions {
  guard: SourceGuard;
  /** Configured trunk addresses: connected even while their anonymous traffic is blocked. */
  trunks?: ReadonlySet<string>;
  logger: Logger;
  limits?: StreamLimits;
  /** Called with each framed message; `malformed()` closes the connection. */
  onMessage: (buf: Buffer, from: StreamPeer) => 'ok' | 'malformed';
  onClosed?: (reason: string) => void;
}

const key = (p: StreamPeer) => `${p.transport}:${p.host}:${p.port}`;

/**
 * SIP over TCP and TLS: one listener per kind, framing by Content-Length,
 * responses and in-dialog requests reuse the peer's connection (RFC 3261 §18.2.2),
 * per-source connection caps, idle timeouts. A framing or parse error closes
 * only that connection.
 */
export class SipStreams {
  #o: StreamOptions;
  #servers = new Map<StreamKind, Server>();
  #conns = new Map<string, Socket>();
  #perSource = new Map<string, number>();
  #limits: Required<StreamLimits>;
  #tlsClient: { ca?: string | Buffer } = {};

  constructor(options: StreamOptions) {
    this.#o = options;
    this.#limits = {
      maxMessageBytes: options.limits?.maxMessageBytes ?? 16 * 1024,
      idleMs: options.limits?.idleMs ?? 120_000,
      maxConnectionsPerSource: options.limits?.maxConnectionsPerSource ?? 16,
    };
  }

  async listen(
    kind: StreamKind,
    port: number,
    host: string,
    tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer },
  ): Promise<{ host: string; port: number }> {
    const server =
      kind === 'tls'
        ? tlsServer({ key: tls?.key, cert: tls?.cert }, (s) => this.#adopt(s, kind))
        : netServer((s) => this.#adopt(s, kind));
    if (kind === 'tls' && tls?.ca) this.#tlsClient.ca = tls.ca;
    // A failed TLS handshake is the client's problem, not ours.
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.#o.logger.warn('sip stream listener error', { kind, error: e.message }));
    this.#servers.set(kind, server);
    const a = server.address();
    return typeof a === 'object' && a ? { host: a.address, port: a.port } : { host, port };
  }

  address(kind: StreamKind): { host: string; port: number } | undefined {
    const a = this.#servers.get(kind)?.address();
    return typeof a === 'object' && a ? { host: a.address, port: a.port } : undefined;
  }

  get connections(): number {
    return this.#conns.size;
  }

  #adopt(s: Socket, kind: StreamKind): void {
    const host = (s.remoteAddress ?? '').replace(/^::ffff:/, '');
    const port = s.remotePort ?? 0;
    s.on('error', () => undefined);
    if (
      (this.#o.guard.isBlocked(host) && !this.#o.trunks?.has(host)) ||
      (this.#perSource.get(host) ?? 0) >= this.#limits.maxConnectionsPerSource
    ) {
      s.destroy();
      this.#o.onClosed?.('refused');
      return;
    }
    this.#track(s, { host, port, transport: kind });
  }

  #track(s: Socket, peer: StreamPeer): void {
    const k = key(peer);
    this.#conns.set(k, s);
    this.#perSource.set(peer.host, (this.#perSource.get(peer.host) ?? 0) + 1);
    const framer = new SipFramer({ maxBytes: this.#limits.maxMessageBytes });
    s.setTimeout(this.#limits.idleMs, () => this.#close(s, 'idle'));
    s.on('data', (chunk: Buffer) => {
      let out: ReturnType<SipFramer['push']>;
      try {
        out = framer.push(chunk);
      } catch {
        this.#close(s, 'framing');
        return;
      }
      if (out.pings > 0 && !s.destroyed) s.write('\r\n');
      for (const m of out.messages) {
        if (s.destroyed) return;
        if (this.#o.onMessage(m, peer) === 'malformed') {
          this.#close(s, 'malformed');
          return;
        }
      }
    });
    s.once('close', () => {
      if (this.#conns.get(k) === s) this.#conns.delete(k);
      const n = (this.#perSource.get(peer.host) ?? 1) - 1;
      if (n <= 0) this.#perSource.delete(peer.host);
      else this.#perSource.set(peer.host, n);
    });
  }

  #close(s: Socket, reason: string): void {
    if (s.destroyed) return;
    s.destroy();
    this.#o.onClosed?.(reason);
  }

  /**
   * Writes to the peer's open connection; for TCP with none open, connects
   * first (a phone that registered over a since-closed connection). False when
   * it cannot be delivered.
   */
  send(peer: StreamPeer, data: Buffer): boolean {
    const s = this.#conns.get(key(peer));
    if (s && !s.destroyed) {
      s.write(data);
      return true;
    }
    if (this.#servers.size === 0) return false;
    const out =
      peer.transport === 'tls'
        ? tlsConnect({ host: peer.host, port: peer.port, ...this.#tlsClient, servername: peer.host })
        : netConnect({ host: peer.host, port: peer.port });
    out.on('error', (e) =>
      this.#o.logger.warn('sip stream connect failed', { peer: key(peer), error: e.message }),
    );
    this.#track(out, peer);
    out.write(data);
    return true;
  }

  close(): void {
    for (const s of this.#conns.values()) s.destroy();
    this.#conns.clear();
    this.#perSource.clear();
    for (const srv of this.#servers.values()) srv.close();
    this.#servers.clear();
  }
}
