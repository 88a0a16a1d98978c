import type { RecordingStreamWriter } from '../recording/stream.ts';
import type { NoiseSuppressor } from './denoise.ts';
import type { MediaLeg } from './leg-types.ts';
import type { Mixer } from './mixer.ts';
import type { OpusTranscoder } from './opus-transcoder.ts';
import type { MediaEvent } from './protocol.ts';

export interface Playback {
  playId: string;
  data: Buffer;
  started: number;
  sent: number;
  loop: boolean;
  maxMs: number | undefined;
}

export interface Capture {
  captureId: string;
  started: number;
  maxMs: number;
  silenceMs: number;
  noSpeechMs: number;
  frames: Buffer[];
  /** Audio received so far, in ms of media time (frames × their duration), not wall time. */
  heardMs: number;
  speechAt: number | undefined;
  lastVoice: number;
  /** Wall time of the last packet: a phone with silence suppression stops sending after speech. */
  lastPacketAt: number;
}

export interface Recorder {
  writer: RecordingStreamWriter;
  epochMs: number;
  paused: boolean;
  anchor: { ssrc: number; ts: number; pos: number } | undefined;
}

export interface LegState {
  leg: MediaLeg;
  peer: string | undefined;
  mix: Mixer | undefined;
  play: Playback | undefined;
  capture: Capture | undefined;
  rec: Recorder | undefined;
  /** Only on an Opus leg that talks to G.711 (bridge, prompts): decoder + encoder. */
  tx: OpusTranscoder | undefined;
  /** Noise suppression of what this G.711 leg receives, and the last packet it cleaned. */
  denoise: { ns: NoiseSuppressor; seq: number; payload: Buffer } | undefined;
  /** The last Opus packet decoded for the recorder, reused when forwarding it. */
  decoded: { seq: number; pcm: Int16Array; ts8: number } | undefined;
}

/** In a mix, the agent channel records what the customer hears (agent, plus a barging supervisor or a conference target). */
export interface MixRecording {
  customer: string;
  agent: string;
  ts: number;
  /** A new one per mix: a mode switch restarts `ts`, and the recorder must re-anchor, not splice it back in time. */
  ssrc: number;
}

export type Emit = (e: MediaEvent) => void;

export function legOf(legs: Map<string, LegState>, legId: string): LegState {
  const s = legs.get(legId);
  if (!s) throw new Error(`no leg ${legId}`);
  return s;
}
