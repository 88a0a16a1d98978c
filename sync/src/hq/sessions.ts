import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleState } from './console-state.ts';

export const HQ_SESSION_COOKIE = '__Host-hq_session';
export const HQ_CSRF_HEADER = 'x-csrf-token';

export interface OperatorSession {
  /** The cookie value; held in memory for the request only, never stored. */
  id: string;
  username: string;
  csrfToken: string;
  mustChangePassword: boolean;
  createdAt: number;
  lastSeen: number;
}

/** What the console's database holds for a session, under `session:<sha256(cookie)>`. */
interface StoredSession {
  username: string;
  mustChangePassword: boolean;
  createdAt: number;
  lastSeen: number;
}

export interface OperatorSessionsOptions {
  /** Idle time after which a session ends (default 15 min). */
  idleMs?: number;
  /** Longest a session lives however active (default 12 h). */
  maxAgeMs?: number;
  now?: () => number;
}

const PREFIX = 'session:';
const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The database key of a session: a hash, so a copy of the database opens no session. */
export function sessionKey(id: string): string {
  return PREFIX + createHash('sha256').update(id).digest('hex');
}

/**
 * The CSRF token follows from the cookie, so nothing else secret is stored;
 * the domain prefix keeps it distinct from the stored key.
 */
function csrfFor(id: string): string {
  return createHash('sha256').update('hq-csrf\0').update(id).digest('base64url');
}

/**
 * Console sessions in the console's own database, so an HQ restart keeps
 * operators signed in. Ids are 256-bit random and stored only as SHA-256;
 * the idle timeout and the absolute lifetime are enforced from the stored
 * timestamps.
 */
export class OperatorSessions {
  readonly #state: ConsoleState;
  readonly #idleMs: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(state: ConsoleState, options: OperatorSessionsOptions = {}) {
    this.#state = state;
    this.#idleMs = options.idleMs ?? 15 * 60_000;
    this.#maxAgeMs = options.maxAgeMs ?? 12 * 3_600_000;
    this.#now = options.now ?? Date.now;
  }

  async create(username: string, mustChangePassword: boolean): Promise<OperatorSession> {
    await this.sweep();
    const now = this.#now();
    const id = randomBytes(32).toString('base64url');
    const stored: StoredSession = { username, mustChangePassword, createdAt: now, lastSeen: now };
    await this.#state.update<StoredSession>(sessionKey(id), () => stored);
    return { id, csrfToken: csrfFor(id), ...stored };
  }

  #dead(s: StoredSession, now: number): boolean {
    return now - s.lastSeen > this.#idleMs || now - s.createdAt > this.#maxAgeMs;
  }

  /** The live session for `id`, its idle timer restarted; undefined when unknown or expired. */
  async touch(id: string | undefined): Promise<OperatorSession | undefined> {
    if (!id || !ID_SHAPE.test(id)) return undefined;
    const s = await this.#state.update<StoredSession>(sessionKey(id), (cur) => {
      const now = this.#now();
      if (!cur || this.#dead(cur, now)) return undefined;
      return { ...cur, lastSeen: now };
    });
    return s && { id, csrfToken: csrfFor(id), ...s };
  }

  /** Records that the operator replaced the one-time password. */
  async passwordChanged(session: OperatorSession): Promise<void> {
    session.mustChangePassword = false;
    await this.#state.update<StoredSession>(sessionKey(session.id), (cur) =>
      cur ? { ...cur, mustChangePassword: false } : undefined,
    );
  }

  async destroy(id: string): Promise<void> {
    await this.#state.update(sessionKey(id), () => undefined);
  }

  /** Ends every session of `username` except `keep` (after a password change, or when disabled). */
  async destroyFor(username: string, keep?: string): Promise<number> {
    const kept = keep === undefined ? undefined : sessionKey(keep);
    let ended = 0;
    for (const { id, doc } of await this.#state.list<StoredSession>(PREFIX)) {
      if (doc.username !== username || id === kept) continue;
      await this.#state.update(id, () => undefined);
      ended++;
    }
    return ended;
  }

  /** Deletes expired sessions; returns how many. */
  async sweep(): Promise<number> {
    let swept = 0;
    for (const { id, doc } of await this.#state.list<StoredSession>(PREFIX)) {
      if (!this.#dead(doc, this.#now())) continue;
      // Re-checked inside the write: a request may have touched it since the listing.
      const kept = await this.#state.update<StoredSession>(id, (cur) =>
        cur && !this.#dead(cur, this.#now()) ? cur : undefined,
      );
      if (!kept) swept++;
    }
    return swept;
  }
}

/** The value of one cookie from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** No Max-Age: a browser-session cookie; the server's idle timeout is what ends it. */
export function sessionCookie(id: string): string {
  return `${HQ_SESSION_COOKIE}=${id}; Path=/; Secure; HttpOnly; SameSite=Strict`;
}

export function clearedSessionCookie(): string {
  return `${HQ_SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`;
}
