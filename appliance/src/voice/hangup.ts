import type { CallsContext } from './call-types.ts';
import { contactFor, inDialogRequest } from './sip/dialog.ts';

/** Ends a call: BYE to whoever is still on a dialog, recordings finished, legs closed, `call.ended`. */
export class CallHangup {
  #c: CallsContext;

  constructor(c: CallsContext) {
    this.#c = c;
  }

  async run(callId: string, reason: string, options: { skip?: string } = {}): Promise<void> {
    const d = this.#c.d;
    const table = this.#c.table;
    const call = table.get(callId);
    if (!call || call.info.state === 'ended') return;
    call.info.state = 'ended';
    if (call.retransmit) clearTimeout(call.retransmit);
    call.io.end();
    const parkedChunks = await this.#c.control.onHangup(call).catch(() => ({}));
    const byes: Promise<unknown>[] = [];
    for (const dlg of [call.dialog, call.agent?.dialog]) {
      if (
        !dlg ||
        (dlg === call.dialog && call.sipless) ||
        dlg.callId === options.skip ||
        (dlg === call.agent?.dialog && dlg.remoteTag === undefined)
      )
        continue;
      // The dialog's own Contact (TLS listener for a TLS phone or trunk); over its transport.
      const bye = inDialogRequest(dlg, 'BYE');
      if (!bye.headers.has('contact')) bye.headers.set('contact', [contactFor(d.transport, dlg.peer, 'ivr')]);
      byes.push(d.transport.request(bye, dlg.peer));
    }
    const chunks: Partial<Record<'customer' | 'agent', number>> = { ...parkedChunks };
    for (const [leg, legId] of [
      ['customer', call.info.customerLeg.legId],
      ['agent', call.agent?.legId ?? call.info.agentLeg?.legId],
    ] as const) {
      if (!legId) continue;
      const r = await d.worker
        .request<{ chunks: number }>({ op: 'recordStop', legId })
        .catch(() => undefined);
      if (r) chunks[leg] = r.chunks;
      await d.worker.request({ op: 'close', legId }).catch(() => undefined);
      table.unindexLeg(legId);
    }
    await d.recordings.note(callId, 'all', 'stop', reason).catch(() => undefined);
    await d.recordings.finish(callId, chunks).catch(() => undefined);
    table.delete(callId);
    // Late retransmitted BYEs still find the call for a few seconds.
    setTimeout(() => {
      table.unindexSip(call.dialog.callId);
      if (call.agent) table.unindexSip(call.agent.dialog.callId);
    }, 5000).unref();
    await d.bus.publish('call.ended', {
      callId,
      contactId: call.info.contactId ?? '',
      answered: call.info.agentLeg !== undefined,
      reason,
      durationMs: Date.now() - call.startedMs,
    });
    await Promise.race([Promise.all(byes), new Promise((r) => setTimeout(r, 2000))]);
  }
}
