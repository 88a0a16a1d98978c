import type {
  Consumer,
  DtlsParameters,
  IceCandidate,
  IceParameters,
  PlainTransport,
  Producer,
  Router,
  RouterRtpCodecCapability,
  RtpCapabilities,
  RtpCodecParameters,
  WebRtcTransport,
} from 'mediasoup/types';
import { MediaEngineError } from './mediasoup-errors.ts';
import type { Codec, Endpoint } from './protocol.ts';

/** RFC 4733 events: the one payload type the appliance offers and answers on every leg. */
export const DTMF_PAYLOAD_TYPE = 101;

const G711: Record<Codec, { mimeType: string; payloadType: number }> = {
  pcmu: { mimeType: 'audio/PCMU', payloadType: 0 },
  pcma: { mimeType: 'audio/PCMA', payloadType: 8 },
};

/** Every Router speaks the G.711 pair with telephone-event on 101, and Opus for browsers. */
export const ROUTER_CODECS: RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, preferredPayloadType: 0 },
  { kind: 'audio', mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, preferredPayloadType: 8 },
  {
    kind: 'audio',
    mimeType: 'audio/telephone-event',
    clockRate: 8000,
    preferredPayloadType: DTMF_PAYLOAD_TYPE,
  },
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 111 },
];

function plainCodecs(codec: Codec): RtpCodecParameters[] {
  const g = G711[codec];
  return [
    { mimeType: g.mimeType, payloadType: g.payloadType, clockRate: 8000, channels: 1 },
    { mimeType: 'audio/telephone-event', payloadType: DTMF_PAYLOAD_TYPE, clockRate: 8000 },
  ];
}

/** What a SIP phone on `codec` can receive: that codec and telephone-event, no feedback, no extensions. */
function plainCapabilities(codec: Codec): RtpCapabilities {
  return {
    codecs: plainCodecs(codec).map((c) => ({
      kind: 'audio' as const,
      mimeType: c.mimeType,
      clockRate: c.clockRate,
      ...(c.channels === undefined ? {} : { channels: c.channels }),
      preferredPayloadType: c.payloadType,
      rtcpFeedback: [],
    })),
    headerExtensions: [],
  };
}

export interface PlainLegOptions {
  legId: string;
  codec: Codec;
  /** Local address the leg listens on (the SDP's c= line). */
  bind: string;
  /**
   * The far end from its SDP. Given: the leg sends there and drops RTP from any
   * other source. Omitted: comedia, the leg latches on the first packet's source.
   */
  remote?: Endpoint;
  /**
   * The SSRC the far end sends with (SDP a=ssrc, or learned): mediasoup routes
   * incoming RTP to a producer by SSRC only.
   */
  ssrc: number;
}

export interface PlainLegInfo {
  legId: string;
  /** Where the far end sends RTP (and RTCP, muxed). */
  local: Endpoint;
  codec: Codec;
  dtmfPayloadType: number;
}

export interface WebRtcLegInfo {
  legId: string;
  transportId: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
}

interface Leg {
  codec: Codec | 'webrtc';
  transport: PlainTransport | WebRtcTransport;
  producer: Producer | undefined;
  /** Consumers on this leg's transport (what it sends). */
  consumers: Consumer[];
}

/**
 * One call's Router: SIP legs as PlainTransports (G.711 + telephone-event/101
 * passed through untouched), browser legs as WebRtcTransports, and bridges
 * (each leg's producer consumed on the other's transport). No transcoding: a
 * bridge joins legs on the same codec.
 */
export class MediasoupCall {
  readonly callId: string;
  #router: Router;
  #legs = new Map<string, Leg>();
  #onClose: () => void;
  #closed = false;

  constructor(callId: string, router: Router, onClose: () => void) {
    this.callId = callId;
    this.#router = router;
    this.#onClose = onClose;
  }

  get closed(): boolean {
    return this.#closed || this.#router.closed;
  }

  #check(legId: string): void {
    if (this.closed) throw new MediaEngineError('VOICE_MEDIA_ENGINE_CLOSED', `call ${this.callId} is closed`);
    if (typeof legId !== 'string' || legId === '') throw new TypeError('legId must be a non-empty string');
  }

  #leg(legId: string): Leg {
    const leg = this.#legs.get(legId);
    if (!leg)
      throw new MediaEngineError('VOICE_MEDIA_LEG_NOT_FOUND', `no leg ${legId} in call ${this.callId}`);
    return leg;
  }

  /** A SIP leg: PlainTransport, RTCP muxed, producing what the far end sends. */
  async openPlainLeg(o: PlainLegOptions): Promise<PlainLegInfo> {
    this.#check(o.legId);
    if (this.#legs.has(o.legId)) {
      throw new MediaEngineError('VOICE_MEDIA_LEG_EXISTS', `leg ${o.legId} exists in call ${this.callId}`);
    }
    if (!(o.codec in G711)) throw new TypeError(`codec must be pcmu or pcma, not ${String(o.codec)}`);
    if (!Number.isInteger(o.ssrc) || o.ssrc < 0 || o.ssrc > 0xffffffff) {
      throw new RangeError(`ssrc must be a 32-bit unsigned integer, not ${o.ssrc}`);
    }
    const transport = await this.#router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: o.bind },
      rtcpMux: true,
      comedia: o.remote === undefined,
      appData: { legId: o.legId },
    });
    try {
      if (o.remote) await transport.connect({ ip: o.remote.host, port: o.remote.port });
      const producer = await transport.produce({
        kind: 'audio',
        rtpParameters: { codecs: plainCodecs(o.codec), encodings: [{ ssrc: o.ssrc }], headerExtensions: [] },
        appData: { legId: o.legId },
      });
      this.#legs.set(o.legId, { codec: o.codec, transport, producer, consumers: [] });
    } catch (err) {
      transport.close();
      throw err;
    }
    return {
      legId: o.legId,
      local: { host: transport.tuple.localAddress ?? o.bind, port: transport.tuple.localPort },
      codec: o.codec,
      dtmfPayloadType: DTMF_PAYLOAD_TYPE,
    };
  }

  /**
   * A browser leg: a WebRtcTransport (ICE-lite + DTLS-SRTP) whose parameters
   * go into the SDP answer; `connectWebRtcLeg()` takes the browser's DTLS role
   * and fingerprint.
   */
  async openWebRtcLeg(o: {
    legId: string;
    bind: string;
    /** Address the browser reaches when `bind` is a wildcard (the LAN address). */
    announcedAddress?: string;
  }): Promise<WebRtcLegInfo> {
    this.#check(o.legId);
    if (this.#legs.has(o.legId)) {
      throw new MediaEngineError('VOICE_MEDIA_LEG_EXISTS', `leg ${o.legId} exists in call ${this.callId}`);
    }
    const transport = await this.#router.createWebRtcTransport({
      listenInfos: [
        {
          protocol: 'udp',
          ip: o.bind,
          ...(o.announcedAddress ? { announcedAddress: o.announcedAddress } : {}),
        },
      ],
      appData: { legId: o.legId },
    });
    this.#legs.set(o.legId, { codec: 'webrtc', transport, producer: undefined, consumers: [] });
    return {
      legId: o.legId,
      transportId: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectWebRtcLeg(legId: string, dtlsParameters: DtlsParameters): Promise<void> {
    this.#check(legId);
    const leg = this.#leg(legId);
    if (leg.codec !== 'webrtc') throw new TypeError(`leg ${legId} is not a WebRTC leg`);
    await leg.transport.connect({ dtlsParameters });
  }

  /** Each leg hears the other: a's producer is consumed on b's transport and b's on a's. */
  async bridge(a: string, b: string): Promise<void> {
    this.#check(a);
    this.#check(b);
    if (a === b) throw new TypeError('a leg cannot be bridged to itself');
    const la = this.#leg(a);
    const lb = this.#leg(b);
    if (la.codec !== lb.codec || la.codec === 'webrtc' || lb.codec === 'webrtc') {
      throw new TypeError(`bridge joins two plain legs on one codec, not ${la.codec} and ${lb.codec}`);
    }
    await this.#consume(la, lb);
    await this.#consume(lb, la);
  }

  async #consume(from: Leg, to: Leg): Promise<void> {
    if (!from.producer || to.codec === 'webrtc') return;
    const consumer = await to.transport.consume({
      producerId: from.producer.id,
      rtpCapabilities: plainCapabilities(to.codec),
    });
    to.consumers.push(consumer);
  }

  /** Stops what each leg of the bridge `legId` is in sends the other; the legs stay open. */
  unbridge(legId: string): void {
    const leg = this.#leg(legId);
    const producerId = leg.producer?.id;
    for (const c of leg.consumers) c.close();
    leg.consumers = [];
    for (const other of this.#legs.values()) {
      other.consumers = other.consumers.filter((c) => {
        if (c.producerId !== producerId) return true;
        c.close();
        return false;
      });
    }
  }

  /** Packets the leg received from its far end and passed to its producer. */
  async received(legId: string): Promise<number> {
    const leg = this.#leg(legId);
    if (!leg.producer) return 0;
    const stats = await leg.producer.getStats();
    return stats.reduce((n, s) => n + (s.packetCount ?? 0), 0);
  }

  /** Packets the worker sent out of this leg (what its consumers forwarded to the far end). */
  async sent(legId: string): Promise<number> {
    const leg = this.#leg(legId);
    let n = 0;
    for (const c of leg.consumers) {
      for (const s of await c.getStats()) if (s.type === 'outbound-rtp') n += s.packetCount;
    }
    return n;
  }

  closeLeg(legId: string): void {
    const leg = this.#legs.get(legId);
    if (!leg) return;
    this.unbridge(legId);
    leg.transport.close();
    this.#legs.delete(legId);
  }

  /** The worker died under this call: its router is gone already. */
  workerDied(): void {
    this.#closed = true;
    this.#legs.clear();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#legs.clear();
    this.#router.close();
    this.#onClose();
  }
}
