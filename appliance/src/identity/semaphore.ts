/** Counting semaphore: at most `permits` holders, later callers queue in FIFO order. */
export class Semaphore {
  #free: number;
  #waiters: Array<() => void> = [];

  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1) throw new RangeError(`Invalid permits: ${permits}`);
    this.#free = permits;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiters.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.#waiters.shift();
      // Hand the permit straight to the next waiter so no newcomer can overtake it.
      if (next) next();
      else this.#free++;
    }
  }
}
