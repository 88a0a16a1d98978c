import type { MediaWorker } from './media/supervisor.ts';
import type { SipResponse } from './sip/message.ts';
import { parseAudioSdp } from './sip/sdp.ts';
import { ringbackTonePath } from './tones.ts';

/**
 * What the agent hears while the carrier rings the customer: the carrier's
 * early media when a 183 carries SDP (announcements, in-band ringback), else
 * a local ringback tone once a 180 arrives. Silence would make agents hang up.
 */
export class Ringback {
  #worker: MediaWorker;
  #legs: { agent: string; customer: string };
  #state: 'idle' | 'tone' | 'early' = 'idle';

  constructor(worker: MediaWorker, legs: { agent: string; customer: string }) {
    this.#worker = worker;
    this.#legs = legs;
  }

  progress(r: SipResponse): void {
    if (r.status !== 180 && r.status !== 183) return;
    const early = r.body.length > 0 ? parseAudioSdp(r.body.toString('latin1')) : undefined;
    if (early && this.#state !== 'early') {
      this.#state = 'early';
      void this.#worker
        .request({
          op: 'update',
          legId: this.#legs.customer,
          remote: early.remote,
          codec: early.codec,
          dtmfPayloadType: early.dtmfPayloadType,
        })
        .then(() => this.#worker.request({ op: 'bridge', a: this.#legs.customer, b: this.#legs.agent }))
        .catch(() => undefined);
    } else if (this.#state === 'idle') {
      this.#state = 'tone';
      void this.#worker
        .request({
          op: 'play',
          legId: this.#legs.agent,
          playId: `ringback-${this.#legs.agent}`,
          file: ringbackTonePath(),
          loop: true,
        })
        .catch(() => undefined);
    }
  }

  /** The INVITE is answered or failed: the tone stops (the bridge that follows would end it too). */
  async settle(): Promise<void> {
    if (this.#state === 'tone')
      await this.#worker.request({ op: 'stopPlay', legId: this.#legs.agent }).catch(() => undefined);
    this.#state = 'idle';
  }
}
