import type { SrtpParameters } from './srtp.ts';

/**
 * The media worker's command set (main → worker, each answered by a reply with
 * the same id) and its unsolicited events (worker → main). Leg kinds are tagged
 * so a 'webrtc' leg (werift) can join 'rtp' legs later without new commands.
 */
export type LegKind = 'rtp' | 'webrtc';
export type Codec = 'pcmu' | 'pcma';
/** Codecs offered to a browser: PCMU for PSTN calls (no transcoding), Opus browser to browser. */
export type WebRtcCodec = 'pcmu' | 'opus';
/**
 * listen: the supervisor hears both, nobody hears the supervisor; whisper: the
 * agent hears the supervisor, the customer does not; barge: both hear; off: back to a plain bridge.
 */
export type SuperviseMode = 'listen' | 'whisper' | 'barge' | 'off';

/**
 * SRTP keying of an RTP leg (SDES): our key for what we send, the far end's for
 * what we receive (absent until its answer arrives — packets are dropped till then).
 * Same shape as mediasoup's PlainTransport `srtpParameters`.
 */
export interface LegSrtp {
  send: SrtpParameters;
  recv?: SrtpParameters;
  /** Auth failures + replays after which one 'srtp' event is emitted. */
  alarmAfter?: number;
}

export interface Endpoint {
  host: string;
  port: number;
}

export type MediaCommand =
  | {
      op: 'open';
      legId: string;
      kind: 'rtp';
      codec: Codec;
      dtmfPayloadType: number;
      remote?: Endpoint;
      bind: string;
      /** Noise suppression on what this leg receives, before anyone else hears it (recordings stay raw). */
      denoise?: boolean;
      /** SRTP on this leg (RTP/SAVP or best-effort SDES); absent = plain RTP. */
      srtp?: LegSrtp;
    }
  | {
      /** Answers a browser's SDP offer; replies `{ sdp }` (ICE candidates included, no trickle). */
      op: 'open';
      legId: string;
      kind: 'webrtc';
      offer: string;
      codecs: WebRtcCodec[];
      /** Extra host candidate address (loopback / the LAN address the browser reaches). */
      hosts: string[];
      portRange?: [number, number];
    }
  | {
      /** Mixes the supervisor into the customer↔agent bridge (Opus legs are decoded into the mix). */
      op: 'supervise';
      customer: string;
      agent: string;
      supervisor: string;
      mode: SuperviseMode;
    }
  | {
      /** Everyone in `legs` hears everyone else (three-way conference). */
      op: 'conference';
      legs: string[];
      /** The agent channel's recording then holds what `customer` hears (every other party). */
      record?: { customer: string; agent: string };
    }
  /** Ends the mix (conference or supervision) `legId` is in; its legs fall silent until bridged again. */
  | { op: 'unmix'; legId: string }
  | {
      op: 'update';
      legId: string;
      remote: Endpoint;
      codec?: Codec;
      dtmfPayloadType?: number;
      /** New SRTP keys (the answer's or a re-INVITE's); `null` = the far end chose plain RTP. */
      srtp?: LegSrtp | null;
    }
  | { op: 'bridge'; a: string; b: string }
  | { op: 'unbridge'; legId: string }
  | {
      op: 'play';
      legId: string;
      playId: string;
      file: string;
      /** Repeat the prompt (music on hold) until stopped or `maxMs` has played. */
      loop?: boolean;
      maxMs?: number;
    }
  | { op: 'stopPlay'; legId: string }
  | { op: 'capture'; legId: string; captureId: string; maxMs: number; silenceMs: number; noSpeechMs: number }
  | {
      op: 'recordStart';
      legId: string;
      path: string;
      key: string;
      callId: string;
      leg: string;
      epochMs: number;
      /** Stream cipher: the crypto suite's (gm = SM4-CTR + HMAC-SM3); absent = classic. */
      suite?: 'classic' | 'gm';
    }
  | { op: 'recordPause'; legId: string }
  | { op: 'recordResume'; legId: string }
  | { op: 'recordStop'; legId: string }
  /**
   * Hands a running recording from one leg to another (a transfer replaces the
   * browser leg that carried the agent channel): one stream, no gap in its index.
   */
  | { op: 'recordMove'; from: string; to: string }
  | { op: 'stats'; legId: string }
  | { op: 'close'; legId: string }
  | { op: 'ping' };

export type MediaRequest = MediaCommand & { id: number };

export interface MediaReply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export type MediaEvent =
  | { ev: 'ready' }
  | { ev: 'dtmf'; legId: string; digit: string }
  | { ev: 'played'; legId: string; playId: string; completed: boolean }
  | { ev: 'captured'; legId: string; captureId: string; ulaw: string; speech: boolean }
  | {
      ev: 'quality';
      legId: string;
      state: 'degraded' | 'recovered';
      mos: number;
      lossPct: number;
      jitterMs: number;
      rttMs?: number;
    }
  /** SRTP packets failing authentication or replayed on a leg reached the alarm threshold. */
  | { ev: 'srtp'; legId: string; authFailures: number; replays: number }
  | { ev: 'connection'; legId: string; state: 'connected' | 'failed' | 'closed' | 'disconnected' }
  | { ev: 'recording'; legId: string; state: 'started' | 'paused' | 'resumed' | 'stopped'; chunks: number };

export type WorkerMessage = ({ kind: 'reply' } & MediaReply) | ({ kind: 'event' } & MediaEvent);
