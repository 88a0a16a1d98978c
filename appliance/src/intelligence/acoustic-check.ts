import type { EventBus } from '../events/index.ts';
import { type AcousticJob, AcousticQueue, type CallAudioPort, measureCall } from './acoustic-job.ts';
import { IntelligenceError } from './errors.ts';
import type { AcousticMetrics } from './types.ts';

export interface AcousticCheckOptions {
  bus: EventBus;
  /** The call recordings; absent (no voice module) → no acoustic QA. */
  audio?: CallAudioPort;
  /** Audits a read of a recording (PIPL: every read of personal data is recorded). */
  recordRead: (read: { actor: string; target: string; action: string }) => Promise<void>;
  /** Scores the contact with what the recording measured (undefined: a leg is missing). */
  score: (job: AcousticJob, metrics: AcousticMetrics | undefined) => Promise<void>;
  onError: (what: string, err: unknown) => void;
  limit?: number;
}

/**
 * Acoustic QA: remembers when calls were on hold (from call.held/call.resumed),
 * measures finished calls' recordings in a bounded background queue, and
 * measures one stored call on request (the scorecard editor's "try it").
 */
export class AcousticCheck {
  #o: AcousticCheckOptions;
  #queue: AcousticQueue;
  /** callId → hold intervals (epoch ms); an open hold ends with the call. */
  #holds = new Map<string, Array<[number, number | undefined]>>();
  #offs: Array<() => void>;

  constructor(options: AcousticCheckOptions) {
    this.#o = options;
    const run = async (job: AcousticJob) => {
      const metrics = await this.#measure(job.callId, 'system');
      this.#holds.delete(job.callId);
      await this.#o.score(job, metrics);
    };
    this.#queue = new AcousticQueue(run, {
      ...(options.limit ? { limit: options.limit } : {}),
      onError: (job, err) =>
        options.onError(`acoustic QA failed [contact:${job.contactId}, call:${job.callId}]`, err),
    });
    const bus = options.bus;
    this.#offs = [
      bus.subscribe('call.held', (e) => {
        const list = this.#holds.get(e.data.callId) ?? [];
        list.push([Date.parse(e.at), undefined]);
        this.#holds.set(e.data.callId, list);
      }),
      bus.subscribe('call.resumed', (e) => {
        const open = this.#holds.get(e.data.callId)?.find((h) => h[1] === undefined);
        if (open) open[1] = Date.parse(e.at);
      }),
    ];
  }

  get enabled(): boolean {
    return this.#o.audio !== undefined;
  }

  status() {
    return { enabled: this.enabled, ...this.#queue.status() };
  }

  /** Queues a finished call; false (and an alarm event) when there is no recording source or the queue is full. */
  enqueue(job: AcousticJob): boolean {
    if (!this.#o.audio) return false;
    if (this.#queue.enqueue(job)) return true;
    void this.#o.bus
      .publish('intelligence.acoustic_dropped', { ...job, queued: this.#queue.status().queued })
      .catch((err) => this.#o.onError('acoustic drop alarm failed', err));
    return false;
  }

  /** Measures a stored call now (audited as `actor`'s read); INTELLIGENCE_NO_RECORDING when there is none to measure. */
  async measure(callId: string, actor: string): Promise<AcousticMetrics> {
    const m = await this.#measure(callId, actor);
    if (!m)
      throw new IntelligenceError(
        'INTELLIGENCE_NO_RECORDING',
        `No two-channel recording [callId:${callId}]`,
        {
          status: 404,
          details: { callId },
        },
      );
    return m;
  }

  async #measure(callId: string, actor: string): Promise<AcousticMetrics | undefined> {
    const audio = this.#o.audio;
    if (!audio) return undefined;
    const end = Date.now();
    const holds = (this.#holds.get(callId) ?? []).map(([s, e]) => [s, e ?? end] as const);
    const metrics = await measureCall(audio, callId, holds);
    if (metrics)
      await this.#o.recordRead({ actor, target: `recording:${callId}`, action: 'recording.qa_measured' });
    return metrics;
  }

  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /** Idempotent. */
  async close(): Promise<void> {
    for (const off of this.#offs.splice(0)) off();
    await this.#queue.close();
  }
}
