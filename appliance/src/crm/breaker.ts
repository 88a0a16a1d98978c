export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe is let through. */
  openMs: number;
  /** Successful probes in half-open needed to close again. */
  halfOpenSuccesses?: number;
  now?: () => number;
  onChange?: (state: BreakerState) => void;
}

/**
 * Circuit breaker: closed → (N consecutive failures) → open → (after openMs)
 * half-open, where a single probe at a time is allowed; its success closes
 * the circuit, its failure opens it again for another openMs.
 */
export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #successes = 0;
  #openedAt = 0;
  #probing = false;
  #opts: Required<Omit<BreakerOptions, 'onChange'>> & Pick<BreakerOptions, 'onChange'>;

  constructor(options: BreakerOptions) {
    if (options.failureThreshold < 1) throw new RangeError('failureThreshold must be ≥ 1');
    this.#opts = { halfOpenSuccesses: 1, now: Date.now, ...options };
  }

  get state(): BreakerState {
    if (this.#state === 'open' && this.#opts.now() - this.#openedAt >= this.#opts.openMs)
      this.#set('half_open');
    return this.#state;
  }

  get failures(): number {
    return this.#failures;
  }

  /** True if a call may go out now; in half-open only one probe is in flight at a time. */
  tryAcquire(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open' || this.#probing) return false;
    this.#probing = true;
    return true;
  }

  success(): void {
    this.#failures = 0;
    if (this.#state === 'half_open') {
      this.#probing = false;
      if (++this.#successes >= this.#opts.halfOpenSuccesses) this.#set('closed');
    }
  }

  failure(): void {
    this.#failures++;
    if (this.#state === 'half_open') {
      this.#probing = false;
      this.#open();
    } else if (this.#state === 'closed' && this.#failures >= this.#opts.failureThreshold) this.#open();
  }

  #open(): void {
    this.#openedAt = this.#opts.now();
    this.#set('open');
  }

  #set(state: BreakerState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#successes = 0;
    if (state === 'closed') this.#failures = 0;
    this.#opts.onChange?.(state);
  }
}
