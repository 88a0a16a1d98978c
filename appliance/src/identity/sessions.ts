import { createHash, randomBytes } from 'node:crypto';
import type { EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { IdentityStore } from './store.ts';
import type { ChangeContext, SessionDoc, SsoSession } from './types.ts';

const log = createLogger('identity');
/** Persisting every request's lastSeen would be a write per request; once a minute is enough. */
const TOUCH_EVERY_MS = 60_000;

type EndReason = 'logout' | 'idle' | 'frozen' | 'replaced';

interface Live {
  doc: SessionDoc;
  rev: string;
  lastSeen: number;
  storedLastSeen: number;
}

export interface SessionsOptions {
  store: IdentityStore;
  bus: EventBus;
  idleMs: number;
  now: () => number;
}

/** The stored, non-secret handle of a session token. */
export function sessionHandle(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Server-side sessions: stored for restarts, cached for the per-request lookup. */
export class Sessions {
  #cache = new Map<string, Live>();
  /**
   * Handles ended in this process, with when. A request that read the session
   * (or is persisting its lastSeen) while it was being ended must not put it
   * back in the cache or the store; entries are dropped by sweep().
   */
  #ended = new Map<string, number>();
  #o: SessionsOptions;

  constructor(options: SessionsOptions) {
    this.#o = options;
  }

  async create(userId: string, ip: string, sso?: SsoSession): Promise<{ token: string; doc: SessionDoc }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.#o.now();
    const at = new Date(now).toISOString();
    const doc: SessionDoc = {
      type: 'session',
      handle: sessionHandle(token),
      userId,
      csrfToken: randomBytes(32).toString('base64url'),
      ip,
      createdAt: at,
      lastSeenAt: at,
      ...(sso === undefined ? {} : { sso }),
    };
    const rev = await this.#o.store.putSession(doc);
    this.#cache.set(doc.handle, { doc, rev, lastSeen: now, storedLastSeen: now });
    await this.#o.bus.publish(
      'session.started',
      { userId, sessionId: doc.handle },
      { actor: userId, source: ip },
    );
    return { token, doc };
  }

  async #live(handle: string): Promise<Live | undefined> {
    let live = this.#cache.get(handle);
    if (!live) {
      const stored = await this.#o.store.getSession(handle);
      if (!stored || this.#ended.has(handle)) return undefined;
      const { _id, _rev, ...doc } = stored;
      const seen = Date.parse(doc.lastSeenAt);
      live = { doc, rev: _rev, lastSeen: seen, storedLastSeen: seen };
      this.#cache.set(handle, live);
    }
    if (this.#o.now() - live.lastSeen > this.#o.idleMs) {
      await this.end(handle, 'idle', { actor: 'system' });
      return undefined;
    }
    return live;
  }

  /** The session by handle without refreshing its idle timer (re-checks of open sockets). */
  async peek(handle: string): Promise<SessionDoc | undefined> {
    return (await this.#live(handle))?.doc;
  }

  /** The live session for a token, its idle timer refreshed; ends it when idle too long. */
  async touch(token: string): Promise<SessionDoc | undefined> {
    const live = await this.#live(sessionHandle(token));
    if (!live) return undefined;
    const now = this.#o.now();
    live.lastSeen = now;
    if (now - live.storedLastSeen >= TOUCH_EVERY_MS) await this.#persist(live, now);
    return live.doc;
  }

  async #persist(live: Live, now: number): Promise<void> {
    if (this.#ended.has(live.doc.handle)) return;
    live.storedLastSeen = now;
    live.doc = { ...live.doc, lastSeenAt: new Date(now).toISOString() };
    try {
      live.rev = await this.#o.store.putSession(live.doc, live.rev);
      // Ended while the write ran: the delete may have lost to this revision.
      if (this.#ended.has(live.doc.handle)) await this.#o.store.removeSession(live.doc.handle);
    } catch (err) {
      // Best effort: a lost lastSeen write only makes a restart expire the session earlier.
      log.warn(`session touch failed [handle:${live.doc.handle.slice(0, 8)}]`, { err });
    }
  }

  async end(handle: string, reason: EndReason, ctx: ChangeContext): Promise<boolean> {
    const cached = this.#cache.get(handle);
    this.#cache.delete(handle);
    this.#ended.set(handle, this.#o.now());
    const stored = cached ? undefined : await this.#o.store.getSession(handle);
    const userId = cached?.doc.userId ?? stored?.userId;
    if (userId === undefined) return false;
    await this.#o.store.removeSession(handle);
    await this.#o.bus.publish('session.ended', { userId, sessionId: handle, reason }, publishOpts(ctx));
    return true;
  }

  /** Ends every session of a user (freeze, password change), optionally sparing one. */
  async endAllFor(userId: string, reason: EndReason, ctx: ChangeContext, except?: string): Promise<number> {
    const handles = new Set<string>();
    for (const [h, l] of this.#cache) if (l.doc.userId === userId) handles.add(h);
    for (const s of await this.#o.store.listSessions()) if (s.userId === userId) handles.add(s.handle);
    handles.delete(except ?? '');
    // Drop them from the cache first so no request can resolve them while the deletes run.
    for (const h of handles) {
      this.#cache.delete(h);
      this.#ended.set(h, this.#o.now());
    }
    await Promise.all(
      [...handles].map(async (h) => {
        await this.#o.store.removeSession(h);
        await this.#o.bus.publish('session.ended', { userId, sessionId: h, reason }, publishOpts(ctx));
      }),
    );
    return handles.size;
  }

  /** Deletes sessions idle past the timeout (for a periodic job; lookups also expire lazily). */
  async sweep(): Promise<number> {
    const now = this.#o.now();
    for (const [h, at] of this.#ended) if (now - at > 60_000) this.#ended.delete(h);
    let n = 0;
    for (const s of await this.#o.store.listSessions()) {
      const seen = this.#cache.get(s.handle)?.lastSeen ?? Date.parse(s.lastSeenAt);
      if (now - seen > this.#o.idleMs && (await this.end(s.handle, 'idle', { actor: 'system' }))) n++;
    }
    return n;
  }
}

export function publishOpts(ctx: ChangeContext): { actor?: string; source?: string } {
  return {
    ...(ctx.actor === undefined ? {} : { actor: ctx.actor }),
    ...(ctx.ip === undefined ? {} : { source: ctx.ip }),
  };
}
