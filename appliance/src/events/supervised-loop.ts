import { createLogger, type Logger } from '../logging/index.ts';
import type { EventBus } from './bus.ts';

const defaultLog = createLogger('loop');

/**
 * What a pass may ask for: nothing (the next pass comes after `everyMs`, or on a
 * kick) or another pass in `againInMs` (e.g. a retry, or more work waiting). A
 * pass that computed a count must not return it: an object is required so that
 * a returned number cannot silently become the next delay (three loops once
 * spun that way).
 */
export type LoopNext = undefined | { againInMs: number };
/** A pass's delay (ms) as what the loop takes; undefined asks for nothing. */
export function againIn(ms: number | undefined): LoopNext {
  return ms === undefined ? undefined : { againInMs: ms };
}
/** One pass of a loop; throwing is supervised. */
// biome-ignore lint/suspicious/noConfusingVoidType: a pass is often `async () => { … }`, a Promise<void>.
export type LoopPass = () => LoopNext | void | Promise<LoopNext | void>;

export interface SupervisedLoopOptions {
  /** Runs a pass every `everyMs` after the previous one ended; omitted: only on kick() or when a pass asks. */
  everyMs?: number;
  /** Where failures are alarmed (`system.alarm_raised`, once per outage); omitted: logged only. */
  bus?: EventBus;
  /** First delay after a failed pass, doubled per consecutive failure (default 1 s). */
  backoffMs?: number;
  /** Longest delay between failing passes (default 60 s). */
  maxBackoffMs?: number;
  log?: Logger;
}

export interface LoopStatus {
  passes: number;
  /** Consecutive failed passes; 0 while healthy. */
  failures: number;
  lastError?: string;
}

/**
 * A background loop that cannot end the process: every pass (sync or async) is
 * caught; a failure is logged, raises one `system.alarm_raised` per outage, and
 * the next pass runs after an exponential back-off (kicks do not shorten it, so
 * a broken dependency cannot make the loop spin). Passes never overlap; a kick
 * during a pass runs one more pass after it. `close()` stops it and waits.
 */
export class SupervisedLoop {
  readonly name: string;
  #pass: LoopPass;
  #o: SupervisedLoopOptions;
  #log: Logger;
  #running: Promise<void> | undefined;
  #again = false;
  #started = false;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #status: LoopStatus = { passes: 0, failures: 0 };

  constructor(name: string, pass: LoopPass, options: SupervisedLoopOptions = {}) {
    if (options.everyMs !== undefined && !(options.everyMs > 0))
      throw new RangeError(`Cannot supervise loop ${name}: everyMs must be > 0`);
    this.name = name;
    this.#pass = pass;
    this.#o = options;
    this.#log = options.log ?? defaultLog;
  }

  get status(): LoopStatus {
    return { ...this.#status };
  }

  /** Arms the loop: the first pass runs after `everyMs`, or now with `{ now: true }`. */
  start(options: { now?: boolean } = {}): this {
    if (this.#closed || this.#started) return this;
    this.#started = true;
    if (options.now) this.kick();
    else if (this.#o.everyMs !== undefined) this.#after(this.#o.everyMs);
    return this;
  }

  /** Runs a pass now (or once more after the running one); waits out a failure back-off instead. */
  kick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#status.failures > 0 && this.#timer) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#running = this.#runOnce().then((next) => {
      this.#running = undefined;
      // After a failure only the back-off timer runs the next pass, so a broken dependency cannot spin.
      if (this.#again && this.#status.failures === 0) {
        this.#again = false;
        this.kick();
      } else if (next !== undefined) this.#after(next);
    });
  }

  /** Resolves when no pass is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.idle();
  }

  /** One supervised pass; resolves (never rejects) to the delay before the next, if any. */
  async #runOnce(): Promise<number | undefined> {
    let next: LoopNext;
    try {
      next = (await this.#pass()) || undefined;
    } catch (err) {
      return this.#failed(err);
    }
    this.#status.passes++;
    if (this.#status.failures > 0) {
      this.#log.info(`loop recovered [loop:${this.name}, after:${this.#status.failures}]`);
      this.#status.failures = 0;
      delete this.#status.lastError;
    }
    return next && next.againInMs >= 0 ? next.againInMs : this.#o.everyMs;
  }

  #failed(err: unknown): number {
    const failures = ++this.#status.failures;
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.#status.lastError = reason;
    this.#again = false;
    const base = this.#o.backoffMs ?? 1000;
    const delay = Math.min(base * 2 ** Math.min(failures - 1, 30), this.#o.maxBackoffMs ?? 60_000);
    this.#log.error(`loop pass failed [loop:${this.name}, failures:${failures}, retryInMs:${delay}]`, {
      err,
    });
    if (failures === 1) this.#alarm(reason);
    return delay;
  }

  #alarm(reason: string): void {
    const bus = this.#o.bus;
    if (!bus) return;
    const detail = `${this.name}: ${reason}`.slice(0, 500);
    try {
      bus
        .publish('system.alarm_raised', { alarm: 'system.loop_failing', severity: 'warning', detail })
        .catch(() => undefined);
    } catch {
      // An alarm sink that throws must not stop the loop.
    }
  }

  #after(ms: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.kick();
    }, ms);
    // Deno's timers are plain numbers without unref().
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
