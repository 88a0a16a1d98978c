import type { CallTable } from './call-table.ts';
import type { Call, VoiceDeps } from './call-types.ts';

/** Per-leg recording of a call: start, and the pause/resume that covers every leg at once. */
export class CallRecording {
  #d: Pick<VoiceDeps, 'worker' | 'recordings' | 'bus'>;
  #table: CallTable;

  constructor(deps: Pick<VoiceDeps, 'worker' | 'recordings' | 'bus'>, table: CallTable) {
    this.#d = deps;
    this.#table = table;
  }

  async start(call: Call, leg: 'customer' | 'agent', legId: string): Promise<void> {
    const { path, key, suite } = await this.#d.recordings.legStream(call.info.id, leg);
    await this.#d.worker.request({
      op: 'recordStart',
      legId,
      path,
      key,
      suite,
      callId: call.info.id,
      leg,
      epochMs: call.startedMs,
    });
  }

  async pause(callId: string, reason: string): Promise<void> {
    const call = this.#table.get(callId);
    if (!call || call.pausedBy) return;
    call.pausedBy = reason;
    for (const legId of legIds(call))
      await this.#d.worker.request({ op: 'recordPause', legId }).catch(() => undefined);
    await this.#d.recordings.note(callId, 'all', 'pause', reason);
    await this.#d.bus.publish('recording.paused', { callId, reason });
  }

  async resume(callId: string, reason: string): Promise<void> {
    const call = this.#table.get(callId);
    if (!call || call.pausedBy !== reason) return;
    call.pausedBy = undefined;
    for (const legId of legIds(call))
      await this.#d.worker.request({ op: 'recordResume', legId }).catch(() => undefined);
    await this.#d.recordings.note(callId, 'all', 'resume', reason);
    await this.#d.bus.publish('recording.resumed', { callId, reason });
  }

  /** Agent-initiated resume; refused while a PCI step holds the pause. */
  async resumeByAgent(callId: string): Promise<boolean> {
    const call = this.#table.get(callId);
    if (!call || call.pausedBy?.startsWith('pci:')) return false;
    if (call.pausedBy) await this.resume(callId, call.pausedBy);
    return true;
  }
}

function legIds(call: Call): string[] {
  return [call.info.customerLeg.legId, ...(call.info.agentLeg ? [call.info.agentLeg.legId] : [])];
}
