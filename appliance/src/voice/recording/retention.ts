import { OutOfRangeError, type RetentionPolicy } from '../../contracts/index.ts';
import { type EventBus, SupervisedLoop } from '../../events/index.ts';
import type { Logger } from '../../logging/index.ts';
import type { DocStore } from '../../storage/index.ts';
import type { PurgeReport, RecordingIndex, RecordingService } from './service.ts';

const SETTINGS_ID = 'settings:retention';
/** Default when an administrator has set nothing: six months. */
export const DEFAULT_RETENTION_DAYS = 180;

export type { RetentionPolicy } from '../../contracts/index.ts';

interface RetentionDoc extends Partial<RetentionPolicy> {
  _id: string;
  _rev?: string;
  days: number;
  updatedAt: string;
  updatedBy: string;
}

const CLASS = /^[a-z][a-z0-9_-]{0,31}$/;
const validDays = (days: unknown): days is number =>
  Number.isInteger(days) && (days as number) >= 1 && (days as number) <= 3650;

/** The recording retention setting and the job that purges what is older. */
export class RecordingRetention {
  #store: DocStore;
  #recordings: RecordingService;
  #bus: EventBus;
  #logger: Logger;
  #now: () => number;
  #loop: SupervisedLoop | undefined;
  #running: Promise<PurgeReport> | undefined;

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

  /** The whole policy: default days, classes and the queues' classes. */
  async policy(): Promise<RetentionPolicy> {
    const d = await this.#store.get<RetentionDoc>(SETTINGS_ID);
    return {
      days: d?.days ?? DEFAULT_RETENTION_DAYS,
      classes: { ...(d?.classes ?? {}) },
      queueClasses: { ...(d?.queueClasses ?? {}) },
    };
  }

  /** The class a call of `queue` gets ('default' when its queue has none). */
  async classFor(queue: string | undefined): Promise<string> {
    if (!queue) return 'default';
    return (await this.policy()).queueClasses[queue] ?? 'default';
  }

  async setDays(days: number, actor: { userId: string; source?: string }): Promise<void> {
    await this.setPolicy({ ...(await this.policy()), days }, actor);
  }

  /**
   * Replaces the policy (audited). Classes are lower-case names with 1..3650 days; every
   * queue's class must be one of them ('default' is the default days, always there).
   */
  async setPolicy(
    policy: RetentionPolicy,
    actor: { userId: string; source?: string },
  ): Promise<RetentionPolicy> {
    if (!validDays(policy.days))
      throw new OutOfRangeError('VOICE_INVALID_RETENTION', 'retention days must be an integer in 1..3650');
    for (const [name, days] of Object.entries(policy.classes)) {
      if (!CLASS.test(name) || name === 'default')
        throw new OutOfRangeError(
          'VOICE_INVALID_RETENTION',
          `Invalid retention class name: ${JSON.stringify(name)}`,
        );
      if (!validDays(days))
        throw new OutOfRangeError(
          'VOICE_INVALID_RETENTION',
          `retention days of class ${name} must be an integer in 1..3650`,
        );
    }
    for (const [queue, cls] of Object.entries(policy.queueClasses))
      if (cls !== 'default' && !(cls in policy.classes))
        throw new OutOfRangeError(
          'VOICE_INVALID_RETENTION',
          `Queue ${queue} names an unknown class ${JSON.stringify(cls)}`,
        );
    const prev = await this.#store.get<RetentionDoc>(SETTINGS_ID);
    await this.#store.put({
      _id: SETTINGS_ID,
      ...(prev?._rev ? { _rev: prev._rev } : {}),
      days: policy.days,
      classes: policy.classes,
      queueClasses: policy.queueClasses,
      updatedAt: new Date(this.#now()).toISOString(),
      updatedBy: actor.userId,
    });
    await this.#bus.publish(
      'recording.retention_changed',
      { days: policy.days, classes: policy.classes, queueClasses: policy.queueClasses },
      { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
    );
    return this.policy();
  }

  /** Purges once; concurrent calls share the run. Returns how many went. */
  async purge(): Promise<number> {
    return (await this.run()).purged;
  }

  /** One purge pass (concurrent calls share it): what went and what was kept past its retention, and why. */
  run(): Promise<PurgeReport> {
    this.#running ??= (async () => {
      try {
        const p = await this.policy();
        // The class stored on the recording; one linked before its queue had a class follows the queue now.
        const daysFor = (r: RecordingIndex) =>
          p.classes[r.class ?? (r.queue ? (p.queueClasses[r.queue] ?? 'default') : 'default')] ?? p.days;
        const report = await this.#recordings.purgeExpired(daysFor, this.#now());
        if (report.purged > 0)
          await this.#bus.publish('recording.purged', { count: report.purged, retentionDays: p.days });
        // One audit record per pass for everything kept past its retention (not one per recording).
        if (report.kept.length > 0)
          await this.#bus.publish('recording.purge_held', {
            count: report.kept.length,
            kept: report.kept.slice(0, 50),
          });
        return report;
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
