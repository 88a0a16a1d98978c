import type { Call } from './call-types.ts';
import { audioOfferInvite, contactFor, type Dialog, dialogToPhone, inDialogRequest } from './sip/dialog.ts';
import { addrUri, header, param } from './sip/message.ts';
import type { Binding } from './sip/registrar.ts';
import { parseAudioSdp } from './sip/sdp.ts';
import type { CallControlDeps } from './transfer-types.ts';

/** The SIP requests transfers send: INVITE a phone onto a leg, re-INVITE a dialog to another leg, BYE. */
export class TransferSip {
  #d: CallControlDeps;

  constructor(deps: CallControlDeps) {
    this.#d = deps;
  }

  /** INVITEs a phone offering `leg`; on answer points the leg at it and returns the dialog. */
  async ring(call: Call, b: Binding, leg: { legId: string; port: number }): Promise<Dialog | undefined> {
    // Over the transport the phone registered on (its TLS connection for a TLS phone).
    const dialog: Dialog = dialogToPhone('ivr', this.#d.transport, b);
    this.#d.registry.indexSip(dialog.callId, call);
    const remote = await this.#invite(dialog, leg.port, 1);
    if (!remote) {
      this.#d.registry.unindexSip(dialog.callId);
      return undefined;
    }
    await this.#d.worker.request({ op: 'update', legId: leg.legId, remote });
    return dialog;
  }

  async reinviteTo(d: Dialog, port: number): Promise<{ host: string; port: number } | undefined> {
    return this.#invite(d, port, ++d.cseq);
  }

  async #invite(d: Dialog, port: number, cseq: number): Promise<{ host: string; port: number } | undefined> {
    const invite = audioOfferInvite(d, { host: this.#d.bind, port }, cseq);
    if (!invite.headers.has('contact'))
      invite.headers.set('contact', [contactFor(this.#d.transport, d.peer, 'ivr')]);
    const res = await this.#d.transport.request(invite, d.peer);
    if (res.status < 200 || res.status >= 300) return undefined;
    d.remoteTag = param(header(res, 'to'), 'tag');
    d.remoteTarget = addrUri(header(res, 'contact')) ?? d.remoteTarget;
    const ack = inDialogRequest(d, 'ACK', { cseq });
    ack.headers.set('via', [this.#d.transport.via(d.peer, this.#d.transport.newBranch())]);
    this.#d.transport.send(ack, d.peer);
    return parseAudioSdp(res.body.toString('latin1'))?.remote;
  }

  async bye(d: Dialog): Promise<void> {
    this.#d.registry.unindexSip(d.callId);
    if (d.remoteTag === undefined) return;
    const bye = inDialogRequest(d, 'BYE');
    if (!bye.headers.has('contact'))
      bye.headers.set('contact', [contactFor(this.#d.transport, d.peer, 'ivr')]);
    await Promise.race([
      this.#d.transport.request(bye, d.peer),
      new Promise((r) => setTimeout(r, 2000).unref()),
    ]);
  }
}
