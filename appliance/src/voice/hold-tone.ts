import { randomUUID } from 'node:crypto';
import type { Call } from './call-types.ts';
import type { MediaWorker } from './media/supervisor.ts';
import { holdTonePath } from './tones.ts';
import type { TransferState } from './transfer-state.ts';

/** The customer's side of hold: unbridged and played the hold tone (looped by CallControl.onPlayed). */
export class HoldTone {
  #worker: MediaWorker;
  #state: TransferState;

  constructor(worker: MediaWorker, state: TransferState) {
    this.#worker = worker;
    this.#state = state;
  }

  async start(call: Call): Promise<void> {
    const x = this.#state.of(call);
    await this.#worker.request({ op: 'unbridge', legId: call.info.customerLeg.legId }).catch(() => undefined);
    if (!x.holdPlay) await this.play(call);
  }

  async play(call: Call): Promise<void> {
    const x = this.#state.of(call);
    const playId = `hold-${randomUUID()}`;
    x.holdPlay = playId;
    await this.#worker
      .request({ op: 'play', legId: call.info.customerLeg.legId, playId, file: holdTonePath() })
      .catch(() => undefined);
  }

  async stop(call: Call): Promise<void> {
    const x = this.#state.of(call);
    if (!x.holdPlay) return;
    x.holdPlay = undefined;
    await this.#worker.request({ op: 'stopPlay', legId: call.info.customerLeg.legId }).catch(() => undefined);
  }
}
