/**
 * Hybrid logical clock. A timestamp is `<wall ms, 15 digits>.<counter, 6 digits>.<node>`,
 * so plain string comparison orders by time, then counter, then node id — the
 * node id (branch id or `hq`) breaks exact ties deterministically.
 */
export class HybridClock {
  readonly node: string;
  #wall = 0;
  #counter = 0;
  readonly #now: () => number;

  constructor(node: string, options: { now?: () => number } = {}) {
    if (!/^[A-Za-z0-9_-]+$/.test(node)) throw new TypeError(`Invalid clock node id: ${node}`);
    this.node = node;
    this.#now = options.now ?? Date.now;
  }

  /** A timestamp greater than every one this clock issued or observed. */
  now(): string {
    const wall = this.#now();
    if (wall > this.#wall) {
      this.#wall = wall;
      this.#counter = 0;
    } else {
      this.#counter += 1;
    }
    return formatHlc(this.#wall, this.#counter, this.node);
  }

  /** Moves the clock past a timestamp received from another node. */
  observe(ts: string): void {
    const p = parseHlc(ts);
    if (!p) return;
    if (p.wall > this.#wall || (p.wall === this.#wall && p.counter > this.#counter)) {
      this.#wall = p.wall;
      this.#counter = p.counter;
    }
  }
}

export function formatHlc(wall: number, counter: number, node: string): string {
  return `${String(wall).padStart(15, '0')}.${String(counter).padStart(6, '0')}.${node}`;
}

export function parseHlc(ts: string): { wall: number; counter: number; node: string } | undefined {
  const m = /^(\d{15})\.(\d{6})\.([A-Za-z0-9_-]+)$/.exec(ts);
  if (!m) return undefined;
  return { wall: Number(m[1]), counter: Number(m[2]), node: m[3] as string };
}
