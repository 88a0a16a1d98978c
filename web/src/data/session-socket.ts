/**
 * Keeps one WebSocket to `/api/ws` open for the signed-in console. The server
 * ends a dead session (freeze, logout elsewhere, idle) with a
 * `{type:'session.ended'}` frame and close code 4001: that is final and
 * reported once. Any other drop reconnects with capped exponential back-off,
 * asking `beforeReconnect` first so a session that died meanwhile is noticed.
 */

/** Close code the appliance uses when it ends the session (appliance/src/http/ws-gateway.ts). */
export const WS_SESSION_ENDED = 4001;

/** The subset of the browser WebSocket used here, so tests can pass the `ws` package's client. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SessionSocketOptions {
  /** Called once when the server ends the session; the socket stays closed. */
  onEnded: (reason: string) => void;
  /** Server push other than hello/pong/session.ended. */
  onMessage?: (message: Record<string, unknown>) => void;
  /** true once the server greets us, false when the link drops and a retry is scheduled. */
  onStatus?: (connected: boolean) => void;
  /** Resolve false to stop reconnecting (e.g. /api/auth/me answered 401). */
  beforeReconnect?: () => Promise<boolean>;
  create?: (url: string) => SocketLike;
  /** First retry delay; doubles up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  pingIntervalMs?: number;
}

export class SessionSocket {
  #url: string;
  #o: Required<Omit<SessionSocketOptions, 'onMessage' | 'beforeReconnect' | 'onStatus'>> &
    Pick<SessionSocketOptions, 'onMessage' | 'beforeReconnect' | 'onStatus'>;
  #socket: SocketLike | undefined;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(url: string, options: SessionSocketOptions) {
    this.#url = url;
    this.#o = {
      create: (u) => new WebSocket(u) as unknown as SocketLike,
      baseDelayMs: 1000,
      maxDelayMs: 30_000,
      pingIntervalMs: 25_000,
      ...options,
    };
  }

  /** ws:// or wss:// URL for a same-origin path. */
  static urlFor(location: { protocol: string; host: string }, path = '/api/ws'): string {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
  }

  get closed(): boolean {
    return this.#closed;
  }

  start(): this {
    if (!this.#closed && !this.#socket) this.#connect();
    return this;
  }

  /** Idempotent; stops retries and pings and closes the socket. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#ping);
    const s = this.#socket;
    this.#socket = undefined;
    if (s) {
      s.onclose = null;
      s.close(1000, 'client closing');
    }
  }

  #connect(): void {
    const s = this.#o.create(this.#url);
    this.#socket = s;
    s.onmessage = (ev) => this.#onMessage(ev.data);
    s.onerror = () => {
      // a close event always follows; reconnection is decided there
    };
    s.onclose = (ev) => this.#onClose(ev.code, ev.reason);
    s.onopen = () => {
      clearInterval(this.#ping);
      this.#ping = setInterval(() => this.#socket?.send('ping'), this.#o.pingIntervalMs);
    };
  }

  #onMessage(data: unknown): void {
    let msg: unknown;
    try {
      msg = JSON.parse(String(data));
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as Record<string, unknown>;
    if (m['type'] === 'hello') {
      this.#attempt = 0;
      this.#o.onStatus?.(true);
    } else if (m['type'] === 'session.ended')
      this.#end(typeof m['reason'] === 'string' ? m['reason'] : 'ended');
    else if (m['type'] !== 'pong') this.#o.onMessage?.(m);
  }

  #onClose(code: number, reason: string): void {
    this.#socket = undefined;
    clearInterval(this.#ping);
    if (this.#closed) return;
    if (code === WS_SESSION_ENDED) {
      this.#end(reason || 'ended');
      return;
    }
    this.#o.onStatus?.(false);
    const delay = Math.min(this.#o.maxDelayMs, this.#o.baseDelayMs * 2 ** this.#attempt);
    this.#attempt += 1;
    // Jitter keeps a branch full of consoles from reconnecting in lockstep after a restart.
    const jittered = delay / 2 + Math.random() * (delay / 2);
    this.#retry = setTimeout(() => void this.#reconnect(), jittered);
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    const alive = this.#o.beforeReconnect ? await this.#o.beforeReconnect().catch(() => true) : true;
    if (this.#closed) return;
    if (!alive) {
      this.close();
      return;
    }
    this.#connect();
  }

  #end(reason: string): void {
    if (this.#closed) return;
    this.close();
    this.#o.onEnded(reason);
  }
}
