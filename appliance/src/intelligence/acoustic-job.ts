import { acousticMetrics } from './acoustic.ts';
import type { AcousticMetrics } from './types.ts';

/** What acoustic QA needs from the recordings (voice's RecordingService satisfies it). */
export interface CallAudioPort {
  legAudio(callId: string): Promise<
    | {
        epochMs: number;
        legs: Partial<Record<'customer' | 'agent', { pcm: Int16Array; startSample: number }>>;
      }
    | undefined
  >;
}

/** Measures a finished call from its recording; undefined when a leg is missing (never answered). */
export async function measureCall(
  audio: CallAudioPort,
  callId: string,
  holdsMs: ReadonlyArray<readonly [number, number]> = [],
): Promise<AcousticMetrics | undefined> {
  const rec = await audio.legAudio(callId);
  const customer = rec?.legs.customer;
  const agent = rec?.legs.agent;
  if (!rec || !customer || !agent) return undefined;
  const at = (ms: number) => Math.max(0, Math.round((ms - rec.epochMs) * 8));
  return acousticMetrics({
    customer: customer.pcm,
    agent: agent.pcm,
    agentFrom: agent.startSample,
    holds: holdsMs.map(([s, e]) => [at(s), at(e)] as const),
  });
}

export interface AcousticJob {
  contactId: string;
  callId: string;
}

export interface AcousticQueueStatus {
  queued: number;
  running: number;
  done: number;
  failed: number;
  dropped: number;
  limit: number;
}

/**
 * A bounded background queue, one call at a time, run after the recording is
 * closed (in the control process, never on the media worker's packet path).
 * A full queue refuses the job (the caller scores without audio and alarms).
 */
export class AcousticQueue {
  #run: (job: AcousticJob) => Promise<void>;
  #jobs: AcousticJob[] = [];
  #limit: number;
  #busy: Promise<void> | undefined;
  #closed = false;
  #counts = { done: 0, failed: 0, dropped: 0 };
  #onError: (job: AcousticJob, err: unknown) => void;

  constructor(
    run: (job: AcousticJob) => Promise<void>,
    options: { limit?: number; onError?: (job: AcousticJob, err: unknown) => void } = {},
  ) {
    this.#run = run;
    this.#limit = options.limit ?? 100;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** False when the queue is full or closed. */
  enqueue(job: AcousticJob): boolean {
    if (this.#closed || this.#jobs.length >= this.#limit) {
      this.#counts.dropped++;
      return false;
    }
    this.#jobs.push(job);
    this.#busy ??= this.#drain();
    return true;
  }

  status(): AcousticQueueStatus {
    return {
      queued: this.#jobs.length,
      running: this.#busy ? 1 : 0,
      ...this.#counts,
      limit: this.#limit,
    };
  }

  /** Resolves when the queue is empty. */
  async idle(): Promise<void> {
    while (this.#busy) await this.#busy;
  }

  async #drain(): Promise<void> {
    try {
      for (let job = this.#jobs.shift(); job && !this.#closed; job = this.#jobs.shift()) {
        // Let SIP and HTTP turns run between calls.
        await new Promise((r) => setImmediate(r));
        try {
          await this.#run(job);
          this.#counts.done++;
        } catch (err) {
          this.#counts.failed++;
          this.#onError(job, err);
        }
      }
    } finally {
      this.#busy = undefined;
    }
  }

  /** Idempotent: drops what is queued and waits for the running job. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#jobs = [];
    await this.idle();
  }
}
