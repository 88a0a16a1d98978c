import {
  type MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpSender,
  RtpHeader,
  RtpPacket as WeriftRtp,
} from 'werift';
import type { LegHooks } from './leg.ts';
import type { LegCodec, MediaLeg } from './leg-types.ts';
import type { WebRtcCodec } from './protocol.ts';
import { eventToDigit, parseTelephoneEvent, type RtpPacket } from './rtp.ts';
import { type LegStats, ReceiveStats } from './stats.ts';

const CODECS: Record<WebRtcCodec, () => RTCRtpCodecParameters> = {
  // PCMU has a static payload type; werift needs it set up front.
  pcmu: () =>
    new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 }),
  opus: () =>
    new RTCRtpCodecParameters({
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
      parameters: 'minptime=10;useinbandfec=1;usedtx=1',
      rtcpFeedback: [{ type: 'transport-cc' }],
    }),
};

export interface WebRtcLegOptions {
  offer: string;
  codecs: WebRtcCodec[];
  hosts: string[];
  portRange?: [number, number];
  onState?: (state: 'connected' | 'failed' | 'closed' | 'disconnected') => void;
}

/**
 * A browser leg: werift answers the browser's offer (ICE on the LAN, DTLS-SRTP).
 * Audio passes through untouched; only SSRC/sequence/timestamp are rewritten.
 */
export class WebRtcLeg implements MediaLeg {
  readonly id: string;
  readonly kind = 'webrtc' as const;
  readonly stats = new ReceiveStats();
  codec: LegCodec = 'pcmu';
  payloadType = 0;
  dtmfPayloadType = -1;
  #pc: RTCPeerConnection;
  #hooks: LegHooks;
  #sender: RTCRtpSender | undefined;
  #outSeq = Math.floor(Math.random() * 0xffff);
  #outTs = Math.floor(Math.random() * 0xffffffff);
  #srcSsrc: number | undefined;
  #tsOffset = 0;
  #lastDtmfTs: number | undefined;
  #closed = false;

  private constructor(id: string, pc: RTCPeerConnection, hooks: LegHooks) {
    this.id = id;
    this.#pc = pc;
    this.#hooks = hooks;
  }

  static async open(
    id: string,
    hooks: LegHooks,
    opts: WebRtcLegOptions,
  ): Promise<{ leg: WebRtcLeg; answer: string }> {
    if (opts.codecs.length === 0) throw new RangeError('at least one codec');
    const pc = new RTCPeerConnection({
      codecs: {
        audio: [
          ...opts.codecs.map((c) => CODECS[c]()),
          new RTCRtpCodecParameters({ mimeType: 'audio/telephone-event', clockRate: 8000, channels: 1 }),
        ],
      },
      iceAdditionalHostAddresses: opts.hosts,
      ...(opts.portRange ? { icePortRange: opts.portRange } : {}),
    });
    const leg = new WebRtcLeg(id, pc, hooks);
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' || state === 'failed' || state === 'closed' || state === 'disconnected')
        opts.onState?.(state);
    });
    pc.onTrack.subscribe((track: MediaStreamTrack) => {
      track.onReceiveRtp.subscribe((rtp) => leg.#receive(rtp));
    });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: opts.offer });
      const transceiver = pc.getTransceivers().find((t) => t.kind === 'audio');
      if (!transceiver) throw new RangeError('offer has no audio');
      transceiver.setDirection('sendrecv');
      leg.#sender = transceiver.sender;
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      await leg.#gathered();
      leg.#pickCodecs(transceiver.codecs);
      const sdp = pc.localDescription?.sdp ?? answer.sdp;
      return { leg, answer: leg.codec === 'opus' ? withOpusFmtp(sdp, leg.payloadType) : sdp };
    } catch (e) {
      await pc.close().catch(() => undefined);
      throw e;
    }
  }

  #pickCodecs(codecs: RTCRtpCodecParameters[]): void {
    const audio = codecs.find((c) => !/telephone-event/i.test(c.mimeType));
    if (!audio) throw new RangeError('no common audio codec');
    this.codec = /opus/i.test(audio.mimeType) ? 'opus' : /pcma/i.test(audio.mimeType) ? 'pcma' : 'pcmu';
    this.payloadType = audio.payloadType;
    const dtmf = codecs.find((c) => /telephone-event/i.test(c.mimeType) && c.clockRate === 8000);
    this.dtmfPayloadType = dtmf?.payloadType ?? -1;
  }

  #gathered(): Promise<void> {
    if (this.#pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, 3000);
      this.#pc.iceGatheringStateChange.subscribe((s) => {
        if (s !== 'complete') return;
        clearTimeout(t);
        resolve();
      });
    });
  }

  get clockRate(): number {
    return this.codec === 'opus' ? 48000 : 8000;
  }

  #receive(rtp: WeriftRtp): void {
    if (this.#closed) return;
    const h = rtp.header;
    const pkt: RtpPacket = {
      payloadType: h.payloadType,
      marker: h.marker,
      sequence: h.sequenceNumber,
      timestamp: h.timestamp,
      ssrc: h.ssrc,
      payload: rtp.payload,
    };
    if (h.payloadType === this.dtmfPayloadType) {
      this.stats.onPacket(h.sequenceNumber, h.timestamp, performance.now(), rtp.serializeSize, {
        timing: false,
        ssrc: h.ssrc,
      });
      const ev = parseTelephoneEvent(rtp.payload);
      if (ev?.end && h.timestamp !== this.#lastDtmfTs) {
        this.#lastDtmfTs = h.timestamp;
        const digit = eventToDigit(ev.event);
        if (digit) this.#hooks.onDtmf(digit);
      }
      this.#hooks.onForward(pkt, true);
      return;
    }
    if (h.payloadType !== this.payloadType) return;
    this.stats.onPacket(h.sequenceNumber, h.timestamp, performance.now(), rtp.serializeSize, {
      clockRate: this.clockRate,
      ssrc: h.ssrc,
    });
    // The engine's recorder and mixer speak G.711 static payload types.
    if (this.codec !== 'opus') pkt.payloadType = this.codec === 'pcmu' ? 0 : 8;
    this.#hooks.onAudio(pkt, performance.now());
    this.#hooks.onForward(pkt, false);
  }

  relay(pkt: RtpPacket, _payloadType: number, payload: Buffer): void {
    if (pkt.ssrc !== this.#srcSsrc) {
      this.#srcSsrc = pkt.ssrc;
      this.#tsOffset = (this.#outTs + this.clockRate / 50 - pkt.timestamp) >>> 0;
    }
    this.#outTs = (pkt.timestamp + this.#tsOffset) >>> 0;
    this.#send(payload, pkt.marker);
  }

  /** One 20 ms frame in the leg's codec (the engine encodes prompts to Opus for Opus legs). */
  sendFrame(payload: Buffer, marker = false): void {
    this.#srcSsrc = undefined;
    this.#outTs = (this.#outTs + (this.codec === 'opus' ? 960 : payload.length)) >>> 0;
    this.#send(payload, marker);
  }

  #send(payload: Buffer, marker: boolean): void {
    const sender = this.#sender;
    if (this.#closed || !sender) return;
    this.#outSeq = (this.#outSeq + 1) & 0xffff;
    this.stats.packetsOut++;
    // werift sets SSRC and the negotiated payload type, and adds its own fixed offsets.
    const header = new RtpHeader({
      marker,
      payloadType: this.payloadType,
      sequenceNumber: this.#outSeq,
      timestamp: this.#outTs,
    });
    sender.sendRtp(new WeriftRtp(header, payload)).catch(() => undefined);
  }

  snapshot(): LegStats {
    const s = this.#sender as unknown as { rtt?: number; remoteFractionLost?: number } | undefined;
    return this.stats.snapshot(this.clockRate, {
      rttMs: s?.rtt !== undefined ? s.rtt * 1000 : undefined,
      remoteLossPct: s?.remoteFractionLost !== undefined ? s.remoteFractionLost * 100 : undefined,
    });
  }

  intervalLossPct(): number {
    return this.stats.intervalLossPct();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pc.close().catch(() => undefined);
  }
}

/** What we ask of the sender's Opus encoder; werift only echoes an fmtp the offer carried. */
const OPUS_FMTP: Record<string, string> = { minptime: '10', useinbandfec: '1', usedtx: '1' };

/**
 * The answer's Opus fmtp with in-band FEC and DTX requested (RFC 7587): the
 * browser then adds FEC when it sees loss and stops sending in silence.
 */
export function withOpusFmtp(sdp: string, payloadType: number): string {
  const re = new RegExp(`^a=fmtp:${payloadType} (.*)$`, 'm');
  const current = re.exec(sdp)?.[1];
  const params = new Map<string, string>();
  for (const kv of (current ?? '').split(';')) {
    const [k, v] = kv.trim().split('=');
    if (k) params.set(k, v ?? '');
  }
  for (const [k, v] of Object.entries(OPUS_FMTP)) params.set(k, v);
  const line = `a=fmtp:${payloadType} ${[...params].map(([k, v]) => `${k}=${v}`).join(';')}`;
  if (current !== undefined) return sdp.replace(re, line);
  const rtpmap = new RegExp(`^a=rtpmap:${payloadType} .*$`, 'm');
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp.replace(rtpmap, (m) => `${m}${eol}${line}`);
}
