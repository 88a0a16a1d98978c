/**
 * The media worker's command set (main → worker, each answered by a reply with
 * the same id) and its unsolicited events (worker → main). Leg kinds are tagged
 * so a 'webrtc' leg (werift) can join 'rtp' legs later without new commands.
 */
export type LegKind = 'rtp';
export type Codec = 'pcmu' | 'pcma';

export interface Endpoint {
  host: string;
  port: number;
}

export type MediaCommand =
  | {
      op: 'open';
      legId: string;
      kind: LegKind;
      codec: Codec;
      dtmfPayloadType: number;
      remote?: Endpoint;
      bind: string;
    }
  | { op: 'update'; legId: string; remote: Endpoint; codec?: Codec; dtmfPayloadType?: number }
  | { op: 'bridge'; a: string; b: string }
  | { op: 'unbridge'; legId: string }
  | { op: 'play'; legId: string; playId: string; file: string }
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
    }
  | { op: 'recordPause'; legId: string }
  | { op: 'recordResume'; legId: string }
  | { op: 'recordStop'; legId: string }
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
  | { ev: 'recording'; legId: string; state: 'started' | 'paused' | 'resumed' | 'stopped'; chunks: number };

export type WorkerMessage = ({ kind: 'reply' } & MediaReply) | ({ kind: 'event' } & MediaEvent);
