import { randomUUID } from 'node:crypto';
import { digestAuthorization, pickChallenge } from './digest-client.ts';
import { header, type SipRequest, type SipResponse } from './message.ts';
import type { Peer, SipTransport } from './transport.ts';

/**
 * Sends a request and, on a 401/407 digest challenge, once more with
 * credentials (CSeq + 1, same Call-ID). Non-2xx INVITE finals are ACKed here
 * because the transport's client transactions do not (RFC 3261 §17.1.1.3).
 */
export async function requestWithAuth(
  transport: SipTransport,
  req: SipRequest,
  to: Peer,
  options: { username: string; password: string; onProvisional?: (r: SipResponse) => void },
): Promise<SipResponse> {
  const send = async (r: SipRequest) => {
    const res = await transport.request(
      r,
      to,
      options.onProvisional ? { onProvisional: options.onProvisional } : {},
    );
    if (r.method === 'INVITE' && res.status >= 300) ackNon2xx(transport, r, res, to);
    return res;
  };
  const first = await send(req);
  if (first.status !== 401 && first.status !== 407) return first;
  const challenge = pickChallenge(
    first.headers.get(first.status === 401 ? 'www-authenticate' : 'proxy-authenticate') ?? [],
  );
  if (!challenge) return first;
  const again: SipRequest = { ...req, headers: new Map([...req.headers].map(([k, v]) => [k, [...v]])) };
  const cseq = Number(/^(\d+)/.exec(header(req, 'cseq') ?? '1')?.[1] ?? 1) + 1;
  again.headers.set('cseq', [`${cseq} ${req.method}`]);
  again.headers.set(first.status === 401 ? 'authorization' : 'proxy-authorization', [
    digestAuthorization(challenge, {
      method: req.method,
      uri: req.uri,
      username: options.username,
      password: options.password,
    }),
  ]);
  return send(again);
}

function ackNon2xx(transport: SipTransport, invite: SipRequest, res: SipResponse, to: Peer): void {
  const headers = new Map<string, string[]>([
    ['via', [res.headers.get('via')?.[0] ?? '']],
    ['max-forwards', ['70']],
    ['from', [...(invite.headers.get('from') ?? [])]],
    ['to', [...(res.headers.get('to') ?? [])]],
    ['call-id', [...(invite.headers.get('call-id') ?? [])]],
    ['cseq', [`${/^(\d+)/.exec(header(invite, 'cseq') ?? '1')?.[1] ?? 1} ACK`]],
  ]);
  transport.send({ kind: 'request', method: 'ACK', uri: invite.uri, headers, body: Buffer.alloc(0) }, to);
}

export const newCallId = (): string => `${randomUUID()}@branchline`;
