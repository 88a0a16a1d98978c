import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowsError } from './errors.ts';
import type { Lang, ListenResult } from './types.ts';

/** Text-to-speech port: returns a file of 8 kHz mono μ-law audio ready to play on a call. */
export interface TtsPort {
  synthesize(text: string, lang: Lang): Promise<string>;
}

/** Speech recognition port: 16 kHz 16-bit mono PCM in, text and intent out. */
export interface AsrPort {
  recognize(
    pcm16k: Buffer,
    options: { intents: Record<string, string[]>; lang: Lang },
  ): Promise<ListenResult>;
}

function run(cmd: string, args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err)
        reject(
          new FlowsError(
            'FLOWS_SPEECH_FAILED',
            `${cmd} failed: ${String(stderr).slice(0, 200) || err.message}`,
          ),
        );
      else resolve(stdout);
    });
  });
}

/** espeak-ng + sox, cached on disk by a hash of language and text. */
export class EspeakTts implements TtsPort {
  #dir: string;
  constructor(cacheDir: string) {
    this.#dir = cacheDir;
  }
  async synthesize(text: string, lang: Lang): Promise<string> {
    const hash = createHash('sha256').update(`${lang}\0${text}`).digest('hex').slice(0, 32);
    const out = join(this.#dir, `${hash}.ul`);
    if (
      await stat(out).then(
        () => true,
        () => false,
      )
    )
      return out;
    await mkdir(this.#dir, { recursive: true });
    const tmp = join(this.#dir, `${hash}.${randomBytes(4).toString('hex')}`);
    try {
      // `--` keeps text that starts with '-' from being read as an option.
      await run('espeak-ng', ['-v', lang === 'zh' ? 'cmn' : 'en', '-w', `${tmp}.wav`, '--', text]);
      await run('sox', [`${tmp}.wav`, '-r', '8000', '-c', '1', '-e', 'u-law', '-t', 'ul', `${tmp}.ul`]);
      await rename(`${tmp}.ul`, out);
    } finally {
      await rm(`${tmp}.wav`, { force: true });
      await rm(`${tmp}.ul`, { force: true });
    }
    return out;
  }
}

const MODEL = '/usr/share/pocketsphinx/model/en-us';

/** JSGF with one rule per intent; every phrase is a full alternative. */
export function buildJsgf(intents: Record<string, string[]>): string {
  const rules = Object.entries(intents).map(
    ([name, phrases]) =>
      `<${name}> = ${phrases
        .map((p) =>
          p
            .toLowerCase()
            .replace(/[^a-z' ]/g, '')
            .trim(),
        )
        .filter(Boolean)
        .join(' | ')};`,
  );
  return [
    '#JSGF V1.0;',
    'grammar intents;',
    `public <utt> = ${Object.keys(intents)
      .map((n) => `<${n}>`)
      .join(' | ')};`,
    ...rules,
    '',
  ].join('\n');
}

/**
 * pocketsphinx (Debian's en-us model) constrained by a grammar built from the
 * flow's intents. Speech the grammar cannot match yields no hypothesis, which
 * the flow takes as its fallback path.
 */
export class PocketsphinxAsr implements AsrPort {
  async recognize(
    pcm16k: Buffer,
    options: { intents: Record<string, string[]>; lang: Lang },
  ): Promise<ListenResult> {
    if (options.lang !== 'en') return { text: '' };
    const base = join(tmpdir(), `bl-asr-${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(`${base}.raw`, pcm16k);
      await writeFile(`${base}.gram`, buildJsgf(options.intents));
      const out = await run('pocketsphinx_continuous', [
        '-infile',
        `${base}.raw`,
        '-jsgf',
        `${base}.gram`,
        '-dict',
        `${MODEL}/cmudict-en-us.dict`,
        '-hmm',
        `${MODEL}/en-us`,
        '-logfn',
        '/dev/null',
      ]);
      const text = out.trim().split('\n').filter(Boolean).join(' ').trim();
      return matchIntent(text, options.intents);
    } finally {
      await rm(`${base}.raw`, { force: true });
      await rm(`${base}.gram`, { force: true });
    }
  }
}

/** The intent whose phrase equals the hypothesis (the grammar guarantees one when it matched). */
export function matchIntent(text: string, intents: Record<string, string[]>): ListenResult {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/\(\d+\)/g, '')
      .replace(/[^a-z' ]/g, '')
      .replace(/\s+/g, ' ')
      .trim();
  const t = norm(text);
  if (!t) return { text: '' };
  for (const [name, phrases] of Object.entries(intents))
    if (phrases.some((p) => norm(p) === t)) return { text, intent: name };
  return { text };
}

/**
 * An on-prem engine configured by URL: POST audio, JSON back. Shape:
 * POST {url}/asr (audio/L16;rate=16000, x-intents header JSON) → {text, intent?};
 * POST {url}/tts {text, lang} → audio/basic (8 kHz μ-law).
 */
export class HttpSpeech implements AsrPort, TtsPort {
  #url: string;
  #cacheDir: string;
  constructor(url: string, options: { cacheDir: string }) {
    this.#url = url.replace(/\/$/, '');
    this.#cacheDir = options.cacheDir;
  }
  async recognize(
    pcm16k: Buffer,
    options: { intents: Record<string, string[]>; lang: Lang },
  ): Promise<ListenResult> {
    const res = await fetch(`${this.#url}/asr?lang=${options.lang}`, {
      method: 'POST',
      headers: { 'content-type': 'audio/L16;rate=16000', 'x-intents': JSON.stringify(options.intents) },
      body: new Uint8Array(pcm16k),
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new FlowsError('FLOWS_SPEECH_FAILED', `ASR engine answered ${res.status}`);
    const body = (await res.json()) as { text?: unknown; intent?: unknown };
    const text = typeof body.text === 'string' ? body.text : '';
    const m = matchIntent(text, options.intents);
    return typeof body.intent === 'string' && body.intent in options.intents
      ? { text, intent: body.intent }
      : m;
  }
  async synthesize(text: string, lang: Lang): Promise<string> {
    const hash = createHash('sha256').update(`${this.#url}\0${lang}\0${text}`).digest('hex').slice(0, 32);
    const out = join(this.#cacheDir, `${hash}.ul`);
    if (
      await stat(out).then(
        () => true,
        () => false,
      )
    )
      return out;
    const res = await fetch(`${this.#url}/tts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text, lang }),
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new FlowsError('FLOWS_SPEECH_FAILED', `TTS engine answered ${res.status}`);
    await mkdir(this.#cacheDir, { recursive: true });
    await writeFile(out, Buffer.from(await res.arrayBuffer()));
    return out;
  }
}

const ULAW = new Int16Array(256);
for (let i = 0; i < 256; i++) {
  const u = ~i & 0xff;
  const mag = (((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7);
  ULAW[i] = u & 0x80 ? 0x84 - mag : mag - 0x84;
}

/**
 * 8 kHz μ-law (a G.711 call leg) → 16 kHz 16-bit little-endian PCM for the
 * recogniser. Deliberately NOT a clean resample: Debian's en-us model was
 * trained on wideband audio and its filterbank reaches 6.8 kHz, so a properly
 * low-passed upsample leaves the top filters empty and the grammar search ends
 * in no hypothesis at all. Zero-stuffing without an anti-imaging filter mirrors
 * 0–4 kHz into 4–8 kHz (spectral folding, the crudest bandwidth extension),
 * which puts fricative energy back where the model expects it; the ×2 gain
 * restores the level zero-stuffing halves. Measured with espeak-ng phrases:
 * lowpassed upsampling recognised 0 of 5 in-grammar phrases, folding 4 of 5,
 * with out-of-grammar sentences still yielding no hypothesis (the fallback).
 */
export function ulaw8kToPcm16k(ulaw: Buffer): Promise<Buffer> {
  const out = Buffer.alloc(ulaw.length * 4);
  for (let i = 0; i < ulaw.length; i++) {
    const x = 2 * (ULAW[ulaw[i] ?? 0xff] ?? 0);
    out.writeInt16LE(x > 32767 ? 32767 : x < -32768 ? -32768 : x, 4 * i);
  }
  return Promise.resolve(out);
}
