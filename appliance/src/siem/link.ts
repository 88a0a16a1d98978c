import { readFile } from 'node:fs/promises';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { SiemError } from './errors.ts';
import type { SiemTarget } from './types.ts';

/**
 * OpenSSL verification failures as Node reports them (UNABLE_TO_VERIFY_LEAF_SIGNATURE,
 * SELF_SIGNED_CERT_IN_CHAIN, DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, …,
 * ERR_TLS_CERT_ALTNAME_INVALID, INVALID_CA): the collector is not who it claims
 * (or the CA setting is wrong).
 */
const CERT_ERROR =
  /^(?:UNABLE_TO_(?:VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT(?:_LOCALLY)?)|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_(?:HAS_EXPIRED|NOT_YET_VALID|REVOKED|UNTRUSTED|REJECTED|SIGNATURE_FAILURE)|ERR_TLS_CERT_ALTNAME_INVALID|INVALID_CA)$/;

/** How long after a flush a reset still counts against the batch (loopback/LAN round trips are far shorter). */
const SETTLE_MS = 25;

export function describe(target: SiemTarget): string {
  const host = isIP(target.host) === 6 ? `[${target.host}]` : target.host;
  return `${target.transport}://${host}:${target.port}`;
}

/**
 * One connection to the collector. `send()` resolves only once the bytes are
 * flushed to the kernel and the connection has shown no sign of ending (no
 * FIN, RST or error seen); anything else rejects and the link is dead for good.
 */
export class CollectorLink {
  readonly #socket: Socket;
  #down: string | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    const down = (why: string) => {
      this.#down ??= why;
    };
    socket.on('end', () => down('collector closed the connection'));
    socket.on('close', () => down('connection closed'));
    socket.on('error', (err) => down(err.message));
    // Collectors never write to us; reading keeps FIN/RST visible.
    socket.on('data', () => undefined);
  }

  /** Connects (TLS: certificate verified against the CA file or the system CAs). */
  static async open(target: SiemTarget, options: { timeoutMs?: number } = {}): Promise<CollectorLink> {
    const where = describe(target);
    let ca: string | undefined;
    if (target.transport === 'tls' && target.caFile !== undefined) {
      try {
        ca = await readFile(target.caFile, 'utf8');
      } catch (err) {
        throw new SiemError(
          'SIEM_CA_UNREADABLE',
          `Cannot read BRANCHLINE_SIEM_CA ${target.caFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
          { cause: err },
        );
      }
    }
    const socket =
      target.transport === 'tls'
        ? tlsConnect({
            host: target.host,
            port: target.port,
            ...(ca === undefined ? {} : { ca }),
            ...(isIP(target.host) ? {} : { servername: target.host }),
            minVersion: 'TLSv1.2',
            rejectUnauthorized: true,
          })
        : tcpConnect({ host: target.host, port: target.port });
    const ready = target.transport === 'tls' ? 'secureConnect' : 'connect';
    const timeoutMs = options.timeoutMs ?? 10_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new SiemError('SIEM_UNREACHABLE', `Cannot reach ${where}: no connection within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve();
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        const code = err.code ?? '';
        if (CERT_ERROR.test(code)) {
          reject(
            new SiemError('SIEM_CERTIFICATE_REJECTED', `Certificate of ${where} rejected: ${code}`, {
              cause: err,
            }),
          );
        } else {
          reject(
            new SiemError('SIEM_UNREACHABLE', `Cannot reach ${where}: ${code || err.message}`, {
              cause: err,
            }),
          );
        }
      });
    });
    socket.setKeepAlive(true, 30_000);
    socket.setNoDelay(true);
    return new CollectorLink(socket);
  }

  get up(): boolean {
    return this.#down === undefined && !this.#socket.destroyed && this.#socket.writable;
  }

  /**
   * Writes framed messages; resolves once flushed with the connection still up.
   * A collector that closed the connection a moment ago still lets the kernel
   * take our bytes (it answers with a reset), so the close must be seen first:
   * I/O events are let in before the write, and for `settleMs` after the flush
   * (a reset on a LAN arrives within a round trip).
   */
  async send(bytes: Buffer, options: { settleMs?: number } = {}): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (!this.up) throw this.#lost();
    await new Promise<void>((resolve, reject) => {
      this.#socket.write(bytes, (err) => (err ? reject(this.#lost(err)) : resolve()));
    });
    await new Promise((r) => setTimeout(r, options.settleMs ?? SETTLE_MS));
    if (!this.up) throw this.#lost();
  }

  #lost(cause?: Error): SiemError {
    this.#socket.destroy();
    return new SiemError(
      'SIEM_CONNECTION_LOST',
      `Connection to the collector lost: ${this.#down ?? cause?.message ?? 'closed'}`,
      {
        ...(cause ? { cause } : {}),
      },
    );
  }

  /** Ends the connection (TLS close_notify first); idempotent. */
  close(): void {
    if (this.#socket.destroyed) return;
    this.#down ??= 'closed by the appliance';
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), 2000).unref();
  }
}
