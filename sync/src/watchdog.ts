import type { Replicator } from './replicator.ts';

export interface SyncAlarm {
  alarm: string;
  severity: 'info' | 'warning' | 'critical';
  detail: string;
}

async function behind(r: Replicator, local: { changes: Replicator['remote']['changes'] }): Promise<boolean> {
  const source = r.status.direction === 'push' ? local : r.remote;
  const res = await source.changes({ since: r.status.lastSeq, limit: 1 });
  return res.results.length > 0;
}

function timeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('probe timed out')), ms).unref()),
  ]);
}

/**
 * Detects replications that stopped moving while work is pending and HQ
 * answers (PouchDB live replication can go silent after network faults):
 * restarts them from their checkpoint and raises an alarm.
 */
export class SyncWatchdog {
  readonly #reps: Array<{ r: Replicator; local: Parameters<typeof behind>[1] }>;
  readonly #stallMs: number;
  readonly #intervalMs: number;
  readonly #onAlarm: (a: SyncAlarm) => void | Promise<void>;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running = false;
  /** Replication name → whether HQ answered the last probe. */
  readonly reachable = new Map<string, boolean>();

  constructor(options: {
    replicators: Array<{ r: Replicator; local: Parameters<typeof behind>[1] }>;
    stallMs?: number;
    intervalMs?: number;
    onAlarm: (a: SyncAlarm) => void | Promise<void>;
  }) {
    this.#reps = options.replicators;
    this.#stallMs = options.stallMs ?? 30_000;
    this.#intervalMs = options.intervalMs ?? 5_000;
    this.#onAlarm = options.onAlarm;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.check(), this.#intervalMs);
    this.#timer.unref();
  }

  /** One pass; returns the names of the replications it restarted. */
  async check(): Promise<string[]> {
    if (this.#running) return [];
    this.#running = true;
    const restarted: string[] = [];
    try {
      for (const { r, local } of this.#reps) {
        const s = r.status;
        let pending: boolean;
        try {
          pending = await timeout(behind(r, local), 5_000);
          this.reachable.set(s.name, true);
        } catch {
          this.reachable.set(s.name, false);
          continue; // HQ unreachable: the branch carries on; replication retries by itself.
        }
        if (!pending || Date.now() - s.lastProgressAt < this.#stallMs) continue;
        r.restart();
        restarted.push(s.name);
        await this.#onAlarm({
          alarm: 'sync.replication_stalled',
          severity: 'warning',
          detail: `${s.direction} ${s.name} made no progress for ${Math.round((Date.now() - s.lastProgressAt) / 1000)} s; restarted`,
        });
      }
    } finally {
      this.#running = false;
    }
    return restarted;
  }

  /** Idempotent. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
