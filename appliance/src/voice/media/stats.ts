/** Per-leg receive statistics (RFC 3550 A.8 jitter) and an E-model (G.107, simplified) MOS. */
export interface LegStats {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  lost: number;
  /** Interarrival jitter in ms. */
  jitterMs: number;
  mos: number;
}

export class ReceiveStats {
  packetsIn = 0;
  packetsOut = 0;
  bytesIn = 0;
  #baseSeq: number | undefined;
  #maxSeq = 0;
  #cycles = 0;
  #jitter = 0;
  #lastTransit: number | undefined;

  onPacket(seq: number, timestamp: number, arrivalMs: number, bytes: number, clockRate = 8000): void {
    this.packetsIn++;
    this.bytesIn += bytes;
    if (this.#baseSeq === undefined) {
      this.#baseSeq = seq;
      this.#maxSeq = seq;
    } else {
      const delta = (seq - this.#maxSeq + 0x10000) & 0xffff;
      if (delta > 0 && delta < 0x8000) {
        if (seq < this.#maxSeq) this.#cycles += 0x10000;
        this.#maxSeq = seq;
      }
    }
    const transit = arrivalMs * (clockRate / 1000) - timestamp;
    if (this.#lastTransit !== undefined) {
      const d = Math.abs(transit - this.#lastTransit);
      if (d < clockRate * 10) this.#jitter += (d - this.#jitter) / 16;
    }
    this.#lastTransit = transit;
  }

  snapshot(clockRate = 8000): LegStats {
    const expected = this.#baseSeq === undefined ? 0 : this.#cycles + this.#maxSeq - this.#baseSeq + 1;
    const lost = Math.max(0, expected - this.packetsIn);
    const jitterMs = (this.#jitter / clockRate) * 1000;
    const lossPct = expected > 0 ? (lost / expected) * 100 : 0;
    return {
      packetsIn: this.packetsIn,
      packetsOut: this.packetsOut,
      bytesIn: this.bytesIn,
      lost,
      jitterMs: Math.round(jitterMs * 100) / 100,
      mos: estimateMos({ lossPct, jitterMs, latencyMs: 20 }),
    };
  }
}

/** E-model R-factor → MOS for G.711 (Ie = 0, Bpl = 25.1 for random loss with PLC). */
export function estimateMos(input: { lossPct: number; jitterMs: number; latencyMs: number }): number {
  const effLatency = input.latencyMs + 2 * input.jitterMs + 10;
  const id = effLatency < 160 ? effLatency / 40 : (effLatency - 120) / 10;
  const ieEff = 95 * (input.lossPct / (input.lossPct + 25.1));
  const r = Math.max(0, Math.min(100, 93.2 - id - ieEff));
  const mos = 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
  return Math.round(Math.max(1, Math.min(4.5, mos)) * 100) / 100;
}
