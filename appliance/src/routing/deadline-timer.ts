import { createLogger } from '../logging/index.ts';
import type { RoutingEngine } from './engine.ts';
import type { Clock } from './engine-types.ts';

const log = createLogger('routing');

/** One timer armed for the engine's next deadline (offer timeouts, relaxations). */
export class DeadlineTimer {
  readonly #engine: RoutingEngine;
  readonly #clock: Clock;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #running = false;

  constructor(engine: RoutingEngine, clock: Clock) {
    this.#engine = engine;
    this.#clock = clock;
  }

  start(): void {
    this.#running = true;
    this.schedule();
  }

  close(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Re-arms when the engine's next deadline is earlier than the armed one; a no-op before start(). */
  schedule(): void {
    if (!this.#running) return;
    const next = this.#engine.nextDeadline();
    if (next === undefined || next >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = next;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        try {
          this.#engine.tick();
        } catch (err) {
          log.error('routing tick failed', { err });
        }
        this.schedule();
      },
      Math.max(0, next - this.#clock.now()) + 5,
    );
    this.#timer.unref();
  }
}
