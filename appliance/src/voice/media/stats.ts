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
  /** SRTP legs: the suite and what was refused (forged or replayed packets). */
  srtp?: { suite: string; authFailures: number; replays: number };
}

/** Sequence state of one synchronisation source (RFC 3550 A.1): each SSRC numbers its own packets. */
interface SourceSeq {
  baseSeq: number;
  maxSeq: number;
  cycles: number;
  received: number;
  /** expected / received at the last interval mark. */
  markExpected: number;
  markReceived: number;
  lastTransit: number | undefined;
}

/**
 * Sources remembered per leg. A sender changes SSRC rarely (a restart, an RFC 4733
 * event stream beside the audio); a flood of fresh SSRCs only recycles the oldest.
 */
const MAX_SOURCES = 8;

export class ReceiveStats {
  packetsIn = 0;
  packetsOut = 0;
  bytesIn = 0;
  #sources = new Map<number, SourceSeq>();
  /** Packets expected from sources already forgotten, so the totals never go back. */
  #retiredExpected = 0;
  #jitter = 0;

  /**
   * `timing: false` for packets that do not carry the audio clock (RFC 4733 events).
   * Loss is counted per SSRC: a sender that switches SSRC (a new stream with its own
   * sequence numbers) is not a gap of thousands of packets.
   */
  onPacket(
    seq: number,
    timestamp: number,
    arrivalMs: number,
    bytes: number,
    options: { clockRate?: number; timing?: boolean; ssrc?: number } = {},
  ): void {
    const clockRate = options.clockRate ?? 8000;
    this.packetsIn++;
    this.bytesIn += bytes;
    const src = this.#source(options.ssrc ?? 0, seq);
    src.received++;
    const delta = (seq - src.maxSeq + 0x10000) & 0xffff;
    if (delta > 0 && delta < 0x8000) {
      if (seq < src.maxSeq) src.cycles += 0x10000;
      src.maxSeq = seq;
    }
    if (options.timing === false) return;
    const transit = arrivalMs * (clockRate / 1000) - timestamp;
    if (src.lastTransit !== undefined) {
      const d = Math.abs(transit - src.lastTransit);
      if (d < clockRate * 10) this.#jitter += (d - this.#jitter) / 16;
    }
    src.lastTransit = transit;
  }

  #source(ssrc: number, seq: number): SourceSeq {
    let s = this.#sources.get(ssrc);
    if (s) return s;
    if (this.#sources.size >= MAX_SOURCES) {
      const [oldest, old] = this.#sources.entries().next().value as [number, SourceSeq];
      this.#retiredExpected += expectedOf(old);
      this.#sources.delete(oldest);
    }
    s = {
      baseSeq: seq,
      maxSeq: seq,
      cycles: 0,
      received: 0,
      markExpected: 0,
      markReceived: 0,
      lastTransit: undefined,
    };
    this.#sources.set(ssrc, s);
    return s;
  }

  #expected(): number {
    let n = this.#retiredExpected;
    for (const s of this.#sources.values()) n += expectedOf(s);
    return n;
  }

  /** Loss since the previous call (RFC 3550 "fraction lost" style), so a late degradation is not averaged away. */
  intervalLossPct(): number {
    let expected = 0;
    let lost = 0;
    for (const s of this.#sources.values()) {
      const e = expectedOf(s) - s.markExpected;
      const r = s.received - s.markReceived;
      s.markExpected += e;
      s.markReceived += r;
      expected += e;
      lost += Math.max(0, e - r);
    }
    return expected > 0 ? (lost / expected) * 100 : 0;
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

function expectedOf(s: SourceSeq): number {
  return s.cycles + s.maxSeq - s.baseSeq + 1;
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
