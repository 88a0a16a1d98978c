/** Per-leg receive statistics (RFC 3550 A.8 jitter) and an E-model (G.107, simplified) MOS. */
export interface LegStats {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  lost: number;
  /** Interarrival jitter in ms. */
  jitterMs: number;
  mos: number;
  /** RTCP round trip (WebRTC legs), ms. */
  rttMs?: number;
  /** Loss the far end reports for what this leg sends (RTCP RR), %. */
  remoteLossPct?: number;
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
  #markExpected = 0;
  #markReceived = 0;

  /** `timing: false` for packets that share the sequence space but not the audio clock (RFC 4733 events). */
  onPacket(
    seq: number,
    timestamp: number,
    arrivalMs: number,
    bytes: number,
    options: { clockRate?: number; timing?: boolean } = {},
  ): void {
    const clockRate = options.clockRate ?? 8000;
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
    if (options.timing === false) return;
    const transit = arrivalMs * (clockRate / 1000) - timestamp;
    if (this.#lastTransit !== undefined) {
      const d = Math.abs(transit - this.#lastTransit);
      if (d < clockRate * 10) this.#jitter += (d - this.#jitter) / 16;
    }
    this.#lastTransit = transit;
  }

  #expected(): number {
    return this.#baseSeq === undefined ? 0 : this.#cycles + this.#maxSeq - this.#baseSeq + 1;
  }

  /** Loss since the previous call (RFC 3550 "fraction lost" style), so a late degradation is not averaged away. */
  intervalLossPct(): number {
    const expected = this.#expected() - this.#markExpected;
    const received = this.packetsIn - this.#markReceived;
    this.#markExpected += expected;
    this.#markReceived += received;
    return expected > 0 ? (Math.max(0, expected - received) / expected) * 100 : 0;
  }

  snapshot(
    clockRate = 8000,
    rtcp: { rttMs?: number | undefined; remoteLossPct?: number | undefined } = {},
  ): LegStats {
    const expected = this.#expected();
    const lost = Math.max(0, expected - this.packetsIn);
    const jitterMs = (this.#jitter / clockRate) * 1000;
    const lossPct = Math.max(expected > 0 ? (lost / expected) * 100 : 0, rtcp.remoteLossPct ?? 0);
    const latencyMs = 20 + (rtcp.rttMs ?? 0) / 2;
    return {
      packetsIn: this.packetsIn,
      packetsOut: this.packetsOut,
      bytesIn: this.bytesIn,
      lost,
      jitterMs: Math.round(jitterMs * 100) / 100,
      mos: estimateMos({ lossPct, jitterMs, latencyMs }),
      ...(rtcp.rttMs !== undefined ? { rttMs: Math.round(rtcp.rttMs * 10) / 10 } : {}),
      ...(rtcp.remoteLossPct !== undefined
        ? { remoteLossPct: Math.round(rtcp.remoteLossPct * 10) / 10 }
        : {}),
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
