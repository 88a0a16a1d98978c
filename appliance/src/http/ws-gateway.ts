import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Permission } from '../contracts/index.ts';
import { type DomainEvent, type EventBus, SupervisedLoop } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import { type Principal, SESSION_COOKIE, type SessionResolver } from './types.ts';

const log = createLogger('ws');

/** Close code a console treats as "session over, go to login". */
export const WS_SESSION_ENDED = 4001;

/** Which permission lets a console receive an event, by event-type prefix. */
const PUSH_RULES: Array<[string, Permission]> = [
  ['user.', 'users.read'],
  ['role.', 'users.read'],
  ['system.', 'system.manage'],
  ['audit.', 'audit.read'],
  ['analytics.', 'contacts.monitor'],
];

interface Client {
  socket: WebSocket;
  principal: Principal;
}

/**
 * An event whose data names `recipientUserId` or `recipientUserIds` is pushed
 * only to those users' consoles.
 */
function recipientsOf(data: unknown): Set<string> | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const d = data as { recipientUserId?: unknown; recipientUserIds?: unknown };
  if (typeof d.recipientUserId === 'string') return new Set([d.recipientUserId]);
  if (Array.isArray(d.recipientUserIds))
    return new Set(d.recipientUserIds.filter((x) => typeof x === 'string'));
  return undefined;
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) {
      try {
        return decodeURIComponent(v.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Pushes domain events to signed-in consoles. Authenticates the upgrade by
 * session cookie and same-origin check; closes a session's sockets the moment
 * the session ends (logout, freeze, idle) and re-validates every socket
 * periodically so an idle-expired session cannot linger.
 */
export class WsGateway {
  #wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  #clients = new Set<Client>();
  #resolve: SessionResolver;
  #check: (sessionHandle: string) => Promise<Principal | undefined>;
  #offBus: Array<() => void> = [];
  #revalidation: SupervisedLoop;
  #closed = false;

  /**
   * `resolveSession` authenticates the upgrade by cookie; `checkSession` re-checks a
   * live socket by session handle without refreshing the idle timer (a socket is
   * not user activity).
   */
  constructor(
    bus: EventBus,
    options: {
      resolveSession: SessionResolver;
      checkSession: (sessionHandle: string) => Promise<Principal | undefined>;
      revalidateMs?: number;
    },
  ) {
    this.#resolve = options.resolveSession;
    this.#check = options.checkSession;
    this.#offBus.push(bus.subscribe('*', (e) => this.#onEvent(e)));
    this.#revalidation = new SupervisedLoop('http.ws_revalidate', () => this.#revalidate(), {
      everyMs: options.revalidateMs ?? 30_000,
      bus,
      log,
    }).start();
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Handles an HTTP upgrade for `/api/ws`; anything else is refused. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (this.#closed || !req.url?.startsWith('/api/ws')) return refuse('404 Not Found');
    const origin = req.headers.origin;
    if (origin !== undefined && !sameHost(origin, req.headers.host)) return refuse('403 Forbidden');
    const sid = cookieValue(req.headers.cookie, SESSION_COOKIE);
    const principal = sid ? await this.#resolve(sid) : undefined;
    if (!principal || principal.mustChangePassword || principal.mfaSetupRequired) {
      return refuse('401 Unauthorized');
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const client = { socket: ws, principal };
      this.#clients.add(client);
      ws.on('close', () => this.#clients.delete(client));
      ws.on('error', () => this.#clients.delete(client));
      ws.on('message', (raw) => {
        // Consoles only ping; any other input is ignored, never parsed as a command here.
        if (raw.toString() === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
      });
      ws.send(JSON.stringify({ type: 'hello', userId: principal.userId }));
    });
  }

  #end(client: Client, reason: string): void {
    this.#clients.delete(client);
    try {
      client.socket.send(JSON.stringify({ type: 'session.ended', reason }));
    } catch {
      // socket may already be half-closed; closing below is what matters
    }
    client.socket.close(WS_SESSION_ENDED, reason);
    const t = setTimeout(() => client.socket.terminate(), 500);
    t.unref();
  }

  #onEvent(e: DomainEvent): void {
    if (e.type === 'session.ended') {
      const { sessionId, reason } = (e as DomainEvent<'session.ended'>).data;
      for (const c of this.#clients) if (c.principal.sessionId === sessionId) this.#end(c, reason);
      return;
    }
    if (e.type === 'user.frozen') {
      const { userId } = (e as DomainEvent<'user.frozen'>).data;
      for (const c of this.#clients) if (c.principal.userId === userId) this.#end(c, 'frozen');
      return;
    }
    const msg = JSON.stringify({ type: 'event', event: { id: e.id, type: e.type, at: e.at, data: e.data } });
    const recipients = recipientsOf(e.data);
    if (recipients) {
      // Addressed events (an offer to one agent, a team-chat message) go to those users only.
      for (const c of this.#clients) {
        if (recipients.has(c.principal.userId) && c.socket.readyState === WebSocket.OPEN) c.socket.send(msg);
      }
      return;
    }
    const rule = PUSH_RULES.find(([prefix]) => e.type.startsWith(prefix));
    if (!rule) return;
    for (const c of this.#clients) {
      if (c.principal.permissions.has(rule[1]) && c.socket.readyState === WebSocket.OPEN) c.socket.send(msg);
    }
  }

  async #revalidate(): Promise<void> {
    for (const c of [...this.#clients]) {
      const p = await this.#check(c.principal.sessionId).catch(() => undefined);
      if (!p) this.#end(c, 'expired');
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.#revalidation.close();
    for (const off of this.#offBus) off();
    for (const c of this.#clients) c.socket.terminate();
    this.#clients.clear();
    this.#wss.close();
    log.debug('gateway closed');
  }
}
