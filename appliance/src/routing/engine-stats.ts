/** Rolling handle times per queue and channel: the AHT behind estimated wait time. */
export class HandleStats {
  static readonly WINDOW = 50;
  #samples = new Map<string, number[]>();
  readonly #defaultMs: number;
  constructor(defaultMs: number) {
    this.#defaultMs = defaultMs;
  }
  record(queueId: string, channel: string, ms: number): void {
    const key = `${queueId}\u0000${channel}`;
    let s = this.#samples.get(key);
    if (!s) {
      s = [];
      this.#samples.set(key, s);
    }
    s.push(ms);
    if (s.length > HandleStats.WINDOW) s.shift();
  }
  /** Mean of the last 50 handle times, or the configured default before there is history. */
  averageMs(queueId: string, channel: string): number {
    const s = this.#samples.get(`${queueId}\u0000${channel}`);
    if (!s || s.length === 0) return this.#defaultMs;
    return s.reduce((a, b) => a + b, 0) / s.length;
  }
}
