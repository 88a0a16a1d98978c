import type { LegKind } from './protocol.ts';
import type { RtpPacket } from './rtp.ts';
import type { LegStats } from './stats.ts';

export type LegCodec = 'pcmu' | 'pcma' | 'opus';

/** What the engine needs from any leg, plain RTP or WebRTC. */
export interface MediaLeg {
  readonly id: string;
  readonly kind: LegKind;
  readonly codec: LegCodec;
  /** The payload type this leg sends audio with. */
  readonly payloadType: number;
  readonly dtmfPayloadType: number;
  /** Forwards a packet from another source, rewriting SSRC/sequence/timestamp. */
  relay(pkt: RtpPacket, payloadType: number, payload: Buffer): void;
  /** Sends one locally generated 20 ms G.711 frame (prompts, mixer output). */
  sendFrame(payload: Buffer, marker?: boolean): void;
  /** Receive figures; WebRTC legs add RTCP round trip and the far end's loss. */
  snapshot(): LegStats;
  /** Loss over the packets since the previous call, in %. */
  intervalLossPct(): number;
  close(): void;
}
