import { randomBytes, randomUUID } from 'node:crypto';
import { addrUri, header, param, type SipRequest } from './message.ts';
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
}

export const newTag = (): string => randomBytes(6).toString('hex');

/** The UAS side of an inbound INVITE's dialog. */
export function uasDialog(invite: SipRequest, from: Peer, localTag: string): Dialog {
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
  if (options.contentType) headers.set('content-type', [options.contentType]);
  return { kind: 'request', method, uri: d.remoteTarget, headers, body: options.body ?? Buffer.alloc(0) };
}

/** A new outgoing dialog from `user` on this host to a registered phone's contact (UAC side, CSeq 1). */
export function dialogToPhone(
  user: string,
  local: { host: string; port: number },
  phone: { contact: string; host: string; port: number; transport: string },
): Dialog {
  return {
    callId: `${randomUUID()}@branchline`,
    localUri: `sip:${user}@${local.host}:${local.port}`,
    localTag: newTag(),
    remoteUri: phone.contact,
    remoteTag: undefined,
    remoteTarget: phone.contact,
    peer: {
      host: phone.host,
      port: phone.port,
      ...(phone.transport !== 'udp' ? { transport: phone.transport } : {}),
    },
    cseq: 1,
  } as Dialog;
}
