import { randomBytes, randomUUID } from 'node:crypto';
import { addrUri, header, param, type SipRequest } from './message.ts';
import { buildAudioSdp } from './sdp.ts';
import type { Peer } from './transport.ts';

/** One side of a SIP dialog, enough to send in-dialog requests (BYE, ACK). */
export interface Dialog {
  callId: string;
  localUri: string;
  localTag: string;
  remoteUri: string;
  remoteTag: string | undefined;
  remoteTarget: string;
  peer: Peer;
  cseq: number;
  /** Our Contact for requests in this dialog: the listener of the peer's transport (`;transport=tls` over TLS). */
  contact?: string;
}

/** Where we listen per transport (SipTransport's `localFor`). */
export interface LocalListeners {
  localFor(peer: Peer | undefined): Peer;
}

/** Our Contact for a peer: the listener of its transport, with `;transport=` for streams. */
export function contactFor(listeners: LocalListeners, peer: Peer, user: string): string {
  const l = listeners.localFor(peer);
  const t = peer.transport && peer.transport !== 'udp' ? `;transport=${peer.transport}` : '';
  return `<sip:${user}@${l.host}:${l.port}${t}>`;
}

export const newTag = (): string => randomBytes(6).toString('hex');

/** The UAS side of an inbound INVITE's dialog. */
export function uasDialog(invite: SipRequest, from: Peer, localTag: string, contact?: string): Dialog {
  const fromH = header(invite, 'from') ?? '';
  const toH = header(invite, 'to') ?? '';
  return {
    callId: header(invite, 'call-id') ?? '',
    localUri: addrUri(toH) ?? invite.uri,
    localTag,
    remoteUri: addrUri(fromH) ?? '',
    remoteTag: param(fromH, 'tag'),
    remoteTarget: addrUri(header(invite, 'contact')) ?? addrUri(fromH) ?? invite.uri,
    peer: from,
    cseq: 1000,
    ...(contact ? { contact } : {}),
  };
}

export function inDialogRequest(
  d: Dialog,
  method: string,
  options: { cseq?: number; body?: Buffer; contentType?: string } = {},
): SipRequest {
  const cseq = options.cseq ?? ++d.cseq;
  const headers = new Map<string, string[]>([
    ['max-forwards', ['70']],
    ['from', [`<${d.localUri}>;tag=${d.localTag}`]],
    ['to', [`<${d.remoteUri}>${d.remoteTag ? `;tag=${d.remoteTag}` : ''}`]],
    ['call-id', [d.callId]],
    ['cseq', [`${cseq} ${method}`]],
  ]);
  // ACK and CANCEL carry no Contact; every other request we originate names the transport's listener.
  if (d.contact && method !== 'ACK' && method !== 'CANCEL') headers.set('contact', [d.contact]);
  if (options.contentType) headers.set('content-type', [options.contentType]);
  return { kind: 'request', method, uri: d.remoteTarget, headers, body: options.body ?? Buffer.alloc(0) };
}

/**
 * A new outgoing dialog from `user` on this host to a registered phone's contact (UAC side, CSeq 1),
 * over the transport the phone registered on (its TLS connection for a TLS phone).
 */
export function dialogToPhone(
  user: string,
  listeners: LocalListeners,
  phone: { contact: string; host: string; port: number; transport?: string },
): Dialog {
  const peer: Peer = {
    host: phone.host,
    port: phone.port,
    ...(phone.transport === 'tcp' || phone.transport === 'tls' ? { transport: phone.transport } : {}),
  };
  const local = listeners.localFor(peer);
  return {
    callId: `${randomUUID()}@branchline`,
    localUri: `sip:${user}@${local.host}:${local.port}`,
    localTag: newTag(),
    remoteUri: phone.contact,
    remoteTag: undefined,
    remoteTarget: phone.contact,
    peer,
    cseq: 1,
    contact: contactFor(listeners, peer, user),
  };
}

/**
 * The INVITE offering our PCMU leg (DTMF on 101) at `host:port` in dialog `d`; with `crypto`, SDES
 * SRTP (RTP/SAVP when mandatory). Agent ringing, transfers and test calls all offer this.
 */
export function audioOfferInvite(
  d: Dialog,
  media: { host: string; port: number; crypto?: Parameters<typeof buildAudioSdp>[0]['crypto'] },
  cseq = 1,
): SipRequest {
  const sdp = buildAudioSdp({
    host: media.host,
    port: media.port,
    codec: 'pcmu',
    dtmfPayloadType: 101,
    sessionId: Date.now(),
    ...(cseq > 1 ? { version: cseq } : {}),
    ...(media.crypto ? { crypto: media.crypto } : {}),
  });
  return inDialogRequest(d, 'INVITE', { cseq, contentType: 'application/sdp', body: Buffer.from(sdp) });
}
