import { randomBytes } from 'node:crypto';

export const HQ_SESSION_COOKIE = '__Host-hq_session';
export const HQ_CSRF_HEADER = 'x-csrf-token';

export interface OperatorSession {
  id: string;
  username: string;
  csrfToken: string;
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

/**
 * Console sessions, in memory: an HQ restart signs operators out, which is
 * the safe direction. Ids and CSRF tokens are 256-bit random.
 */
export class OperatorSessions {
  readonly #byId = new Map<string, OperatorSession>();
  readonly #idleMs: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(options: OperatorSessionsOptions = {}) {
    this.#idleMs = options.idleMs ?? 15 * 60_000;
    this.#maxAgeMs = options.maxAgeMs ?? 12 * 3_600_000;
    this.#now = options.now ?? Date.now;
  }

  create(username: string, mustChangePassword: boolean): OperatorSession {
    const now = this.#now();
    for (const [id, s] of this.#byId) if (this.#dead(s, now)) this.#byId.delete(id);
    const s: OperatorSession = {
      id: randomBytes(32).toString('base64url'),
      username,
      csrfToken: randomBytes(32).toString('base64url'),
      mustChangePassword,
      createdAt: now,
      lastSeen: now,
    };
    this.#byId.set(s.id, s);
    return s;
  }

  #dead(s: OperatorSession, now: number): boolean {
    return now - s.lastSeen > this.#idleMs || now - s.createdAt > this.#maxAgeMs;
  }

  /** The live session for `id`, its idle timer restarted; undefined when unknown or expired. */
  touch(id: string | undefined): OperatorSession | undefined {
    if (!id) return undefined;
    const s = this.#byId.get(id);
    if (!s) return undefined;
    const now = this.#now();
    if (this.#dead(s, now)) {
      this.#byId.delete(id);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  destroy(id: string): void {
    this.#byId.delete(id);
  }

  /** Ends every session of `username` except `keep` (after a password change). */
  destroyFor(username: string, keep?: string): void {
    for (const [id, s] of this.#byId) if (s.username === username && id !== keep) this.#byId.delete(id);
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
