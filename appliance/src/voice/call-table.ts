import type { Call } from './call-types.ts';
import type { CallRegistry } from './transfer-types.ts';

/** The live calls, found by call id, by SIP Call-ID (either dialog) and by media-worker leg. */
export class CallTable implements CallRegistry {
  #calls = new Map<string, Call>();
  #bySipId = new Map<string, Call>();
  #byLeg = new Map<string, Call>();

  get(callId: string): Call | undefined {
    return this.#calls.get(callId);
  }

  has(callId: string): boolean {
    return this.#calls.has(callId);
  }

  values(): IterableIterator<Call> {
    return this.#calls.values();
  }

  ids(): string[] {
    return [...this.#calls.keys()];
  }

  add(call: Call): void {
    this.#calls.set(call.info.id, call);
  }

  delete(callId: string): void {
    this.#calls.delete(callId);
  }

  bySip(sipId: string): Call | undefined {
    return this.#bySipId.get(sipId);
  }

  indexSip(sipId: string, call: Call): void {
    this.#bySipId.set(sipId, call);
  }

  unindexSip(sipId: string): void {
    this.#bySipId.delete(sipId);
  }

  byLeg(legId: string): Call | undefined {
    return this.#byLeg.get(legId);
  }

  indexLeg(legId: string, call: Call): void {
    this.#byLeg.set(legId, call);
  }

  unindexLeg(legId: string): void {
    this.#byLeg.delete(legId);
  }
}
