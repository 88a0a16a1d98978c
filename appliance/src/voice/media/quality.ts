import type { MediaLeg } from './leg-types.ts';
import type { MediaEvent } from './protocol.ts';
import { estimateMos } from './stats.ts';

/**
 * Every interval, an E-model MOS per leg from the loss in that interval (so a
 * late degradation is not averaged away by a good start), jitter and RTCP
 * round trip; raises 'degraded' once below the threshold and 'recovered'
 * once clearly above it again.
 */
export class QualityMonitor {
  #emit: (e: MediaEvent) => void;
  #threshold: number;
  #intervalMs: number;
  #last = performance.now();
  #degraded = new Set<string>();

  constructor(emit: (e: MediaEvent) => void, options: { mosThreshold?: number; qualityIntervalMs?: number }) {
    this.#emit = emit;
    this.#threshold = options.mosThreshold ?? 3.6;
    this.#intervalMs = options.qualityIntervalMs ?? 2000;
  }

  check(now: number, legs: Map<string, { leg: MediaLeg }>): void {
    if (now - this.#last < this.#intervalMs) return;
    this.#last = now;
    for (const [legId, { leg }] of legs) {
      const snap = leg.snapshot();
      if (snap.packetsIn === 0) continue;
      const lossPct = Math.max(leg.intervalLossPct(), snap.remoteLossPct ?? 0);
      const mos = estimateMos({ lossPct, jitterMs: snap.jitterMs, latencyMs: 20 + (snap.rttMs ?? 0) / 2 });
      const was = this.#degraded.has(legId);
      const figures = {
        mos,
        lossPct: Math.round(lossPct * 10) / 10,
        jitterMs: snap.jitterMs,
        ...(snap.rttMs !== undefined ? { rttMs: snap.rttMs } : {}),
      };
      if (!was && mos < this.#threshold) {
        this.#degraded.add(legId);
        this.#emit({ ev: 'quality', legId, state: 'degraded', ...figures });
      } else if (was && mos >= this.#threshold + 0.2) {
        this.#degraded.delete(legId);
        this.#emit({ ev: 'quality', legId, state: 'recovered', ...figures });
      }
    }
  }

  forget(legId: string): void {
    this.#degraded.delete(legId);
  }
}
