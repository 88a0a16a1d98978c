import type { PresenceStatus } from './types.ts';

interface Beat {
  status: 'online' | 'away';
  at: number;
  sessions: number;
}

/**
 * Presence from two sources: session start/end (the console is open) and
 * heartbeats the console sends while it is (online) or is not (away) in use.
 * A console that stops beating fades to away, then offline.
 */
export class PresenceTracker {
  #beats = new Map<string, Beat>();
  #now: () => number;
  #awayAfterMs: number;
  #offlineAfterMs: number;

  constructor(options: { now?: () => number; awayAfterMs?: number; offlineAfterMs?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#awayAfterMs = options.awayAfterMs ?? 90_000;
    this.#offlineAfterMs = options.offlineAfterMs ?? 300_000;
  }

  heartbeat(userId: string, status: 'online' | 'away'): void {
    const prior = this.#beats.get(userId);
    this.#beats.set(userId, { status, at: this.#now(), sessions: Math.max(prior?.sessions ?? 0, 1) });
  }

  sessionStarted(userId: string): void {
    const prior = this.#beats.get(userId);
    this.#beats.set(userId, { status: 'online', at: this.#now(), sessions: (prior?.sessions ?? 0) + 1 });
  }

  sessionEnded(userId: string): void {
    const prior = this.#beats.get(userId);
    if (!prior) return;
    if (prior.sessions <= 1) this.#beats.delete(userId);
    else prior.sessions--;
  }

  statusOf(userId: string): PresenceStatus {
    const b = this.#beats.get(userId);
    if (!b) return 'offline';
    const age = this.#now() - b.at;
    if (age >= this.#offlineAfterMs) return 'offline';
    if (age >= this.#awayAfterMs) return 'away';
    return b.status;
  }
}
