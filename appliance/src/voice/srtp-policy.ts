import type { VoiceDeps } from './call-types.ts';
import { mask } from './mask.ts';
import type { LegSrtp } from './media/protocol.ts';
import { newSrtpParameters, type SrtpParameters } from './media/srtp.ts';
import type { SrtpPolicy } from './sip/registrar.ts';
import { type AudioOffer, chooseCrypto } from './sip/sdp.ts';
import type { Peer } from './sip/transport.ts';

/** Why SRTP negotiation refused a call (logged, published with `call.refused`, never the keys). */
export type SrtpRefusal =
  /** The account or trunk requires SRTP and the far end offered or answered plain RTP. */
  | 'VOICE_SRTP_REQUIRED'
  /** RTP/SAVP offered, but SRTP is off for this account or trunk. */
  | 'VOICE_SRTP_OFF'
  /** SDES keys arrived (or would be sent) over SIP UDP/TCP, where anyone on the LAN reads them. */
  | 'VOICE_SDES_NOT_OVER_TLS'
  /** RTP/SAVP with no crypto line whose suite and key we can use. */
  | 'VOICE_SRTP_NO_SUITE';

/** What our side puts in its SDP: our key under a tag, RTP/SAVP or best-effort RTP/AVP. */
export interface LocalCrypto {
  tag: number;
  params: SrtpParameters;
  savp: boolean;
  /** The far end's key as last agreed (a re-INVITE with the same key keeps the receive state). */
  remote?: SrtpParameters;
}

export type SdesOutcome =
  | { ok: true; local: LocalCrypto | undefined; srtp: LegSrtp | undefined }
  | { ok: false; code: SrtpRefusal };

export interface SdesContext {
  policy: SrtpPolicy;
  /** The SIP signalling is TLS (or BRANCHLINE_SIP_SDES_OVER_PLAIN allows keys in clear). */
  secure: boolean;
  alarmAfter: number;
}

/** We answer an offer: RTP/SAVP must be keyed; RTP/AVP with crypto is keyed best-effort unless off. */
export function answerOffer(offer: AudioOffer, c: SdesContext): SdesOutcome {
  const chosen = c.secure ? chooseCrypto(offer.crypto) : undefined;
  if (offer.profile === 'RTP/SAVP') {
    if (c.policy === 'off') return { ok: false, code: 'VOICE_SRTP_OFF' };
    if (!c.secure) return { ok: false, code: 'VOICE_SDES_NOT_OVER_TLS' };
    if (!chosen) return { ok: false, code: 'VOICE_SRTP_NO_SUITE' };
  }
  if (chosen && c.policy !== 'off') {
    // A fresh master key per leg, in the suite the far end chose.
    const local = {
      tag: chosen.tag,
      params: newSrtpParameters(chosen.params.cryptoSuite),
      savp: offer.profile === 'RTP/SAVP',
      remote: chosen.params,
    };
    return { ok: true, local, srtp: { send: local.params, recv: chosen.params, alarmAfter: c.alarmAfter } };
  }
  if (c.policy === 'required')
    return { ok: false, code: c.secure ? 'VOICE_SRTP_REQUIRED' : 'VOICE_SDES_NOT_OVER_TLS' };
  return { ok: true, local: undefined, srtp: undefined };
}

/** We offer: required → RTP/SAVP (only over TLS); optional over TLS → RTP/AVP with a crypto line; else plain. */
export function makeOffer(c: SdesContext): SdesOutcome {
  if (c.policy === 'off' || (c.policy === 'optional' && !c.secure))
    return { ok: true, local: undefined, srtp: undefined };
  if (!c.secure) return { ok: false, code: 'VOICE_SDES_NOT_OVER_TLS' };
  const local = {
    tag: 1,
    params: newSrtpParameters('AES_CM_128_HMAC_SHA1_80'),
    savp: c.policy === 'required',
  };
  // Until the answer arrives the leg sends protected and drops what it receives.
  return { ok: true, local, srtp: { send: local.params, alarmAfter: c.alarmAfter } };
}

/** The far end's answer to our offer: its key for our tag and suite, or plain RTP where allowed. */
export function acceptAnswer(
  answer: AudioOffer,
  sent: LocalCrypto | undefined,
  c: SdesContext,
): { ok: true; srtp: LegSrtp | null } | { ok: false; code: SrtpRefusal } {
  if (!sent) return { ok: true, srtp: null };
  const theirs = answer.crypto.find(
    (x) => x.tag === sent.tag && x.params.cryptoSuite === sent.params.cryptoSuite,
  );
  if (theirs) return { ok: true, srtp: { send: sent.params, recv: theirs.params, alarmAfter: c.alarmAfter } };
  if (c.policy === 'required' || sent.savp) return { ok: false, code: 'VOICE_SRTP_REQUIRED' };
  return { ok: true, srtp: null };
}

/** The negotiation context of a peer: its policy, and whether keys may cross its signalling. */
export function sdesContext(
  d: { options?: Pick<VoiceDeps['options'], 'sdesOverPlain' | 'srtpAlarmThreshold'> | undefined },
  policy: SrtpPolicy | undefined,
  peer: Peer,
): SdesContext {
  return {
    policy: policy ?? 'optional',
    secure: peer.transport === 'tls' || d.options?.sdesOverPlain === true,
    alarmAfter: d.options?.srtpAlarmThreshold ?? 50,
  };
}

/** Logs and publishes an SRTP refusal (the caller sends the 488 or drops the leg). */
export function noteSrtpRefusal(
  d: Pick<VoiceDeps, 'logger' | 'bus'>,
  code: SrtpRefusal,
  who: { peer: Peer; target: string },
): void {
  d.logger.warn(
    `srtp negotiation refused [code:${code}, source:${who.peer.host}, transport:${who.peer.transport ?? 'udp'}]`,
  );
  void d.bus.publish('call.refused', { reason: 'srtp_policy', code, target: mask(who.target) });
}

/** The Warning header (RFC 3261 §20.43) of a 488 for an SRTP refusal. */
export function srtpWarning(code: SrtpRefusal): string {
  return `399 branchline "${code}"`;
}

/** A re-INVITE on an SRTP leg: the same suite again (our key unchanged), re-keyed only if theirs changed. */
export function answerReoffer(
  offer: AudioOffer,
  mine: LocalCrypto,
  c: SdesContext,
): { ok: true; local: LocalCrypto; srtp: LegSrtp | undefined } | { ok: false; code: SrtpRefusal } {
  const theirs = c.secure
    ? offer.crypto.find((x) => x.params.cryptoSuite === mine.params.cryptoSuite)
    : undefined;
  if (!theirs) return { ok: false, code: c.secure ? 'VOICE_SRTP_REQUIRED' : 'VOICE_SDES_NOT_OVER_TLS' };
  const changed = theirs.params.keyBase64 !== mine.remote?.keyBase64;
  const local = { ...mine, tag: theirs.tag, savp: offer.profile === 'RTP/SAVP', remote: theirs.params };
  return {
    ok: true,
    local,
    srtp: changed ? { send: mine.params, recv: theirs.params, alarmAfter: c.alarmAfter } : undefined,
  };
}
