import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from './g711.ts';
import type { LegState } from './leg-state.ts';
import type { RtpPacket } from './rtp.ts';

/** Relays what a leg receives to its bridged peer (or into its mix), transcoding only where codecs differ. */
export class Forwarder {
  #legs: Map<string, LegState>;

  constructor(legs: Map<string, LegState>) {
    this.#legs = legs;
  }

  forward(from: string, received: RtpPacket, isDtmf: boolean): void {
    const s = this.#legs.get(from);
    const peer = s?.peer ? this.#legs.get(s.peer) : undefined;
    if (!s) return;
    const d = s.denoise;
    const pkt = d && !isDtmf && d.seq === received.sequence ? { ...received, payload: d.payload } : received;
    if (s.mix && !isDtmf) {
      if (s.leg.codec !== 'opus')
        s.mix.push(from, pkt.payloadType === 8 ? decodeAlaw(pkt.payload) : decodeUlaw(pkt.payload));
      else {
        const d = s.decoded?.seq === pkt.sequence ? s.decoded : decodeOpus(s, pkt);
        if (d && d.pcm.length > 0) s.mix.push(from, d.pcm);
      }
      return;
    }
    if (!peer) return;
    if (!isDtmf && (s.leg.codec === 'opus') !== (peer.leg.codec === 'opus')) {
      forwardTranscoded(s, peer, pkt);
      return;
    }
    if (isDtmf) {
      // werift stamps its negotiated audio payload type on everything it sends, so DTMF stays off WebRTC legs.
      if (peer.leg.kind === 'rtp') peer.leg.relay(pkt, peer.leg.dtmfPayloadType, pkt.payload);
      return;
    }
    if (peer.leg.codec === 'opus') {
      peer.leg.relay(pkt, peer.leg.payloadType, pkt.payload);
      return;
    }
    const inPt = pkt.payloadType;
    if (inPt === peer.leg.payloadType) peer.leg.relay(pkt, inPt, pkt.payload);
    else peer.leg.relay(pkt, peer.leg.payloadType, transcode(pkt.payload, inPt));
  }
}

function forwardTranscoded(s: LegState, peer: LegState, pkt: RtpPacket): void {
  if (s.leg.codec === 'opus') {
    const d = s.decoded?.seq === pkt.sequence ? s.decoded : decodeOpus(s, pkt);
    if (!d || d.pcm.length === 0) return;
    const payload = peer.leg.codec === 'pcma' ? encodeAlaw(d.pcm) : encodeUlaw(d.pcm);
    peer.leg.relay({ ...pkt, timestamp: d.ts8 }, peer.leg.payloadType, payload);
    return;
  }
  const tx = peer.tx;
  if (!tx) return;
  const pcm = pkt.payloadType === 8 ? decodeAlaw(pkt.payload) : decodeUlaw(pkt.payload);
  const ts = tx.wideTs(pkt.timestamp);
  for (const [i, opus] of tx.encode(pcm).entries())
    peer.leg.relay({ ...pkt, timestamp: (ts + i * 960) >>> 0 }, peer.leg.payloadType, opus);
}

/** Decodes an Opus packet where the leg has a transcoder, and keeps it for the forward that follows. */
export function decodeOpus(s: LegState, pkt: RtpPacket): LegState['decoded'] {
  if (!s.tx) return undefined;
  s.decoded = { seq: pkt.sequence, pcm: s.tx.decode(pkt.payload), ts8: s.tx.narrowTs(pkt.timestamp) };
  return s.decoded;
}

/**
 * Cleans one received G.711 packet (kept for the forward that follows it);
 * returns the cleaned audio as μ-law for capture and mixing.
 */
export function clean(d: NonNullable<LegState['denoise']>, pkt: RtpPacket, ulaw: Buffer): Buffer {
  const pcm = d.ns.process(decodeUlaw(ulaw));
  d.seq = pkt.sequence;
  d.payload = pkt.payloadType === 8 ? encodeAlaw(pcm) : encodeUlaw(pcm);
  return pkt.payloadType === 8 ? encodeUlaw(pcm) : d.payload;
}

function transcode(payload: Buffer, fromPt: number): Buffer {
  return fromPt === 8 ? encodeUlaw(decodeAlaw(payload)) : encodeAlaw(decodeUlaw(payload));
}
