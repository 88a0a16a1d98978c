import { OutOfRangeError } from '../../contracts/index.ts';
import { type EventBus, SupervisedLoop } from '../../events/index.ts';
import type { Logger } from '../../logging/index.ts';
import type { DocStore } from '../../storage/index.ts';
import type { RecordingService } from './service.ts';

const SETTINGS_ID = 'settings:retention';
/** Default when an administrator has set nothing: six months. */
export const DEFAULT_RETENTION_DAYS = 180;

interface RetentionDoc {
  _id: string;
  _rev?: string;
  days: number;
  updatedAt: string;
  updatedBy: string;
}

/** The recording retention setting and the job that purges what is older. */
export class RecordingRetention {
  #store: DocStore;
  #recordings: RecordingService;
  #bus: EventBus;
  #logger: Logger;
  #now: () => number;
  #loop: SupervisedLoop | undefined;
  #running: Promise<number> | undefined;

  constructor(
    store: DocStore,
    options: { recordings: RecordingService; bus: EventBus; logger: Logger; now?: () => number },
  ) {
    this.#store = store;
    this.#recordings = options.recordings;
    this.#bus = options.bus;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  async days(): Promise<number> {
    return (await this.#store.get<RetentionDoc>(SETTINGS_ID))?.days ?? DEFAULT_RETENTION_DAYS;
  }

  async setDays(days: number, actor: { userId: string; source?: string }): Promise<void> {
    if (!Number.isInteger(days) || days < 1 || days > 3650)
      throw new OutOfRangeError('VOICE_INVALID_RETENTION', 'retention days must be an integer in 1..3650');
    const prev = await this.#store.get<RetentionDoc>(SETTINGS_ID);
    await this.#store.put({
      _id: SETTINGS_ID,
      ...(prev?._rev ? { _rev: prev._rev } : {}),
      days,
      updatedAt: new Date(this.#now()).toISOString(),
      updatedBy: actor.userId,
    });
    await this.#bus.publish(
      'recording.retention_changed',
      { days },
      { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
    );
  }

  /** Purges once; concurrent calls share the run. */
  purge(): Promise<number> {
    this.#running ??= (async () => {
      try {
        const days = await this.days();
        const purged = await this.#recordings.purge(days, this.#now());
        if (purged > 0) await this.#bus.publish('recording.purged', { count: purged, retentionDays: days });
        return purged;
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  /** Runs the purge every `intervalMs` (hourly by default) until close(). */
  /** A failing purge is alarmed and retried with back-off; it never ends the process. */
  start(intervalMs = 3_600_000): void {
    if (this.#loop) return;
    // Not `() => this.purge()`: a number returned to SupervisedLoop is the delay before the next
    // pass, so the purged count (usually 0) would purge again at once, forever.
    this.#loop = new SupervisedLoop(
      'voice.recording_retention',
      async () => {
        await this.purge();
      },
      {
        everyMs: intervalMs,
        bus: this.#bus,
        log: this.#logger,
      },
    ).start();
  }

  close(): void {
    void this.#loop?.close();
    this.#loop = undefined;
  }
}
