import type { Call } from './call-types.ts';
import type { Extra } from './transfer-types.ts';

/** What transfer and hold keep per call beside its CallInfo (consult, parked leg, hold tone, SDP version). */
export class TransferState {
  #extra = new WeakMap<Call, Extra>();

  of(call: Call): Extra {
    let x = this.#extra.get(call);
    if (!x) {
      x = { sdpVersion: 1, consult: undefined, parked: undefined, holdPlay: undefined, conference: false };
      this.#extra.set(call, x);
    }
    return x;
  }
}

/** The console softphone's leg: a WebRTC leg with no RTP port a phone could be pointed at. */
export function isBrowserLeg(leg: { port: number }): boolean {
  return leg.port === 0;
}

/** State changes while awaiting: read it fresh (TS narrows `state` across awaits otherwise). */
export function ended(call: Call): boolean {
  return (call.info.state as string) === 'ended';
}

/** Event metadata naming who acted, when the request came from a user. */
export function meta(actor: { userId?: string }) {
  return actor.userId ? { actor: actor.userId } : {};
}
