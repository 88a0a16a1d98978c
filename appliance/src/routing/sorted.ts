/** A sorted array with binary insert/remove: O(log n) search, memmove inserts (fast for a few thousand). */
export class SortedList<T> {
  #items: T[] = [];
  readonly #cmp: (a: T, b: T) => number;
  constructor(cmp: (a: T, b: T) => number) {
    this.#cmp = cmp;
  }
  get size(): number {
    return this.#items.length;
  }
  get items(): readonly T[] {
    return this.#items;
  }
  /** Number of items that sort strictly before `x`. */
  rank(x: T): number {
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cmp(this.#items[mid] as T, x) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  add(x: T): void {
    this.#items.splice(this.rank(x), 0, x);
  }
  /** Removes `x`, which must compare equal to itself under the key it was added with. */
  remove(x: T): boolean {
    for (let i = this.rank(x); i < this.#items.length; i++) {
      const y = this.#items[i] as T;
      if (y === x) {
        this.#items.splice(i, 1);
        return true;
      }
      if (this.#cmp(y, x) > 0) break;
    }
    return false;
  }
}

/** Binary min-heap keyed by `at`; stale entries are skipped by the caller. */
export class DeadlineHeap<T extends { at: number }> {
  #h: T[] = [];
  get size(): number {
    return this.#h.length;
  }
  peek(): T | undefined {
    return this.#h[0];
  }
  push(x: T): void {
    const h = this.#h;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((h[p] as T).at <= x.at) break;
      h[i] = h[p] as T;
      i = p;
    }
    h[i] = x;
  }
  pop(): T | undefined {
    const h = this.#h;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && (h[r] as T).at < (h[l] as T).at ? r : l;
      if ((h[c] as T).at >= last.at) break;
      h[i] = h[c] as T;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
