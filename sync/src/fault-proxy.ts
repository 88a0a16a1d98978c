import net from 'node:net';

/**
 * A TCP proxy that injects WAN faults between branch and HQ: cuts (new
 * connections reset, open ones dropped), resets of live connections, and a
 * fixed one-way delay per chunk (RTT = 2 × delayMs).
 */
export class FaultProxy {
  readonly #target: { host: string; port: number };
  readonly #server: net.Server;
  readonly #pairs = new Set<{ a: net.Socket; b: net.Socket }>();
  #down = false;
  delayMs: number;
  port = 0;
  #closing: Promise<void> | undefined;

  private constructor(target: { host: string; port: number }, delayMs: number) {
    this.#target = target;
    this.delayMs = delayMs;
    this.#server = net.createServer({ allowHalfOpen: true }, (client) => this.#accept(client));
  }

  static async start(
    target: { host?: string; port: number },
    options: { delayMs?: number } = {},
  ): Promise<FaultProxy> {
    const p = new FaultProxy({ host: target.host ?? '127.0.0.1', port: target.port }, options.delayMs ?? 0);
    await new Promise<void>((resolve, reject) => {
      p.#server.once('error', reject);
      p.#server.listen(0, '127.0.0.1', () => resolve());
    });
    p.port = (p.#server.address() as net.AddressInfo).port;
    return p;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isDown(): boolean {
    return this.#down;
  }

  #accept(client: net.Socket): void {
    if (this.#down) {
      client.resetAndDestroy();
      return;
    }
    client.setNoDelay(true);
    const upstream = net.connect({ port: this.#target.port, host: this.#target.host, allowHalfOpen: true });
    upstream.setNoDelay(true);
    const pair = { a: client, b: upstream };
    this.#pairs.add(pair);
    const kill = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    this.#pipe(client, upstream);
    this.#pipe(upstream, client);
    // Errors tear both sides down at once; orderly ends and closes follow the delayed data.
    client.on('error', kill).on('close', () => this.#later(kill));
    upstream.on('error', kill).on('close', () => this.#later(kill));
  }

  #later(fn: () => void): void {
    if (this.delayMs <= 0) fn();
    else setTimeout(fn, this.delayMs);
  }

  #pipe(from: net.Socket, to: net.Socket): void {
    from.on('end', () => this.#later(() => to.end()));
    from.on('data', (chunk: Buffer) => {
      if (this.delayMs <= 0) {
        if (!to.destroyed) to.write(chunk);
        return;
      }
      // Delay preserves order: timers with equal delays fire in insertion order.
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, this.delayMs);
    });
  }

  /** The link goes down: live connections dropped, new ones reset until `heal()`. */
  cut(): void {
    this.#down = true;
    this.resetAll();
  }

  heal(): void {
    this.#down = false;
  }

  /** Resets every live connection (TCP RST) without taking the link down. */
  resetAll(): void {
    for (const { a, b } of this.#pairs) {
      a.resetAndDestroy();
      b.resetAndDestroy();
    }
    this.#pairs.clear();
  }

  /** Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.resetAll();
      this.#server.close(() => resolve());
    });
    return this.#closing;
  }
}
