import { createHash } from 'node:crypto';
import type { ConsoleState } from './console-state.ts';

/** Stored under `failures:<sha256(username)>`: a name typed by mistake (or a password typed as one) is not kept in clear. */
interface StoredFailures {
  /** Consecutive failures since the last success or lock. */
  count: number;
  lockedUntil: number;
  lastFailureAt: number;
}

export interface SignInLockoutOptions {
  /** Consecutive failures before the name locks (default 5). */
  maxFailures?: number;
  /** How long a lock lasts (default 15 min). */
  lockMs?: number;
  /** A count untouched this long is forgotten, bounding what unknown names leave behind (default 24 h). */
  forgetMs?: number;
  now?: () => number;
}

const PREFIX = 'failures:';

function failuresKey(username: string): string {
  return PREFIX + createHash('sha256').update(username).digest('hex');
}

/**
 * Failed sign-ins and locks per operator name, in the console's database so
 * an HQ restart does not lift a lock. Unknown names count and lock the same
 * way, so "locked" says nothing about whether an account exists.
 */
export class SignInLockout {
  readonly #state: ConsoleState;
  readonly #o: Required<SignInLockoutOptions>;

  constructor(state: ConsoleState, options: SignInLockoutOptions = {}) {
    this.#state = state;
    this.#o = { maxFailures: 5, lockMs: 15 * 60_000, forgetMs: 24 * 3_600_000, now: Date.now, ...options };
  }

  /** Seconds until the lock on `username` ends, or undefined when it is not locked. */
  async retryAfterS(username: string): Promise<number | undefined> {
    const f = await this.#state.get<StoredFailures>(failuresKey(username));
    const now = this.#o.now();
    return f && f.lockedUntil > now ? Math.ceil((f.lockedUntil - now) / 1000) : undefined;
  }

  /** Counts a failure; returns the lock's length in seconds when this one locks the name. */
  async fail(username: string): Promise<number | undefined> {
    let locked = false;
    await this.#state.update<StoredFailures>(failuresKey(username), (cur) => {
      const now = this.#o.now();
      // A lock that ran out, or a stale count, starts afresh (the count is 0 while locked).
      const fresh = !cur || now - cur.lastFailureAt > this.#o.forgetMs;
      const count = (fresh ? 0 : cur.count) + 1;
      locked = count >= this.#o.maxFailures;
      return {
        count: locked ? 0 : count,
        lockedUntil: locked ? now + this.#o.lockMs : (cur?.lockedUntil ?? 0),
        lastFailureAt: now,
      };
    });
    return locked ? Math.ceil(this.#o.lockMs / 1000) : undefined;
  }

  async clear(username: string): Promise<void> {
    await this.#state.update(failuresKey(username), () => undefined);
  }

  /** Deletes counts that are neither locking nor recent; returns how many. */
  async sweep(): Promise<number> {
    const stale = (f: StoredFailures, now: number) =>
      f.lockedUntil <= now && now - f.lastFailureAt > this.#o.forgetMs;
    let swept = 0;
    for (const { id, doc } of await this.#state.list<StoredFailures>(PREFIX)) {
      if (!stale(doc, this.#o.now())) continue;
      const kept = await this.#state.update<StoredFailures>(id, (cur) =>
        cur && !stale(cur, this.#o.now()) ? cur : undefined,
      );
      if (!kept) swept++;
    }
    return swept;
  }
}
