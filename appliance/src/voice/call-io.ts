import { randomUUID } from 'node:crypto';
import type { AsrPort, FlowIO, Lang, ListenResult, TtsPort } from '../flows/index.ts';
import { ulaw8kToPcm16k } from '../flows/index.ts';
import type { MediaWorker } from './media/supervisor.ts';

/** DTMF digits and media events of one call, as the flow interpreter needs them. */
export class CallMediaIO implements FlowIO {
  #worker: MediaWorker;
  #legId: string;
  #tts: TtsPort;
  #asr: AsrPort;
  #digits: string[] = [];
  #digitWaiter: (() => void) | undefined;
  #played = new Map<string, () => void>();
  #captured = new Map<string, (ulaw: Buffer) => void>();
  #recording: { pause: (reason: string) => Promise<void>; resume: (reason: string) => Promise<void> };
  #ended = false;

  constructor(
    worker: MediaWorker,
    legId: string,
    deps: { tts: TtsPort; asr: AsrPort; recording: CallMediaIO['recording'] },
  ) {
    this.#worker = worker;
    this.#legId = legId;
    this.#tts = deps.tts;
    this.#asr = deps.asr;
    this.#recording = deps.recording;
  }

  get recording() {
    return this.#recording;
  }

  onDigit(d: string): void {
    this.#digits.push(d);
    this.#digitWaiter?.();
  }
  onPlayed(playId: string): void {
    this.#played.get(playId)?.();
  }
  onCaptured(captureId: string, ulaw: Buffer): void {
    this.#captured.get(captureId)?.(ulaw);
  }
  /** Unblocks every wait: the call is gone. */
  end(): void {
    this.#ended = true;
    this.#digitWaiter?.();
    for (const f of this.#played.values()) f();
    for (const f of this.#captured.values()) f(Buffer.alloc(0));
    this.#voicemailEnd?.();
  }
  #check(): void {
    if (this.#ended) throw new Error('call ended');
  }

  async say(text: string, lang: Lang): Promise<void> {
    this.#check();
    await this.play(await this.#tts.synthesize(text, lang));
  }

  /** `loop` repeats the prompt until `maxMs` (music on hold); without `maxMs` until stopped. */
  async play(file: string, options: { loop?: boolean; maxMs?: number } = {}): Promise<void> {
    this.#check();
    const playId = randomUUID();
    const done = new Promise<void>((r) => this.#played.set(playId, r));
    await this.#worker.request({ op: 'play', legId: this.#legId, playId, file, ...options });
    await done;
    this.#played.delete(playId);
    this.#check();
  }

  async digits(options: { max: number; timeoutMs: number; terminator?: string }): Promise<string> {
    let out = '';
    const deadline = Date.now() + options.timeoutMs;
    while (!this.#ended && out.length < options.max) {
      const d = this.#digits.shift();
      if (d !== undefined) {
        if (d === options.terminator) break;
        out += d;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#digitWaiter = () => {
          clearTimeout(t);
          r();
        };
      });
      this.#digitWaiter = undefined;
    }
    this.#check();
    return out;
  }

  async listen(options: {
    intents: Record<string, string[]>;
    timeoutMs: number;
    lang: Lang;
  }): Promise<ListenResult> {
    this.#check();
    const captureId = randomUUID();
    const got = new Promise<Buffer>((r) => this.#captured.set(captureId, r));
    await this.#worker.request({
      op: 'capture',
      legId: this.#legId,
      captureId,
      maxMs: options.timeoutMs + 10_000,
      silenceMs: 800,
      noSpeechMs: options.timeoutMs,
    });
    const ulaw = await got;
    this.#captured.delete(captureId);
    this.#check();
    if (ulaw.length === 0) return { text: '' };
    return this.#asr.recognize(await ulaw8kToPcm16k(ulaw), { intents: options.intents, lang: options.lang });
  }

  pauseRecording(reason: string): Promise<void> {
    return this.#recording.pause(reason);
  }
  resumeRecording(reason: string): Promise<void> {
    return this.#recording.resume(reason);
  }
  /** How long the caller had to leave a voicemail, once a voicemail node ran (the caller may hang up early). */
  voicemailMs: number | undefined;
  #voicemailEnd: (() => void) | undefined;
  async voicemail(options: { maxMs: number }): Promise<void> {
    this.#check();
    // The customer leg is already recorded (encrypted); a voicemail is that recording, kept open for
    // maxMs or until the caller hangs up.
    const started = Date.now();
    await new Promise<void>((r) => {
      const timer = setTimeout(r, Math.min(options.maxMs, 120_000));
      this.#voicemailEnd = () => {
        clearTimeout(timer);
        r();
      };
    });
    this.#voicemailEnd = undefined;
    this.voicemailMs = (this.voicemailMs ?? 0) + (Date.now() - started);
  }
}
