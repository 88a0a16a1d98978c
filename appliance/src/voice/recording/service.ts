import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { OutOfRangeError } from '../../contracts/index.ts';
import { type CryptoFacade, type DocStore, StorageError, walkIndex } from '../../storage/index.ts';
import { decodeUlaw } from '../media/g711.ts';
import { writeWavPcm16 } from '../media/wav.ts';
import { loadStreamSodium } from './sodium.ts';
import { readRecordingStreamAsync } from './stream.ts';

export type RecordedLeg = 'customer' | 'agent';

export interface RecordingIndex {
  _id: string;
  _rev?: string;
  callId: string;
  startedAt: string;
  epochMs: number;
  legs: Partial<Record<RecordedLeg, { file: string; sealedKey: string }>>;
  /** start/stop/pause/resume, with reasons (pci:<node>) and times. */
  events: Array<{
    at: string;
    leg: RecordedLeg | 'all';
    what: 'start' | 'stop' | 'pause' | 'resume';
    reason?: string;
  }>;
  chunks: Partial<Record<RecordedLeg, number>>;
  /** 'interrupted': the appliance stopped mid-call (found at start-up); never presented as complete. */
  status: 'recording' | 'complete' | 'interrupted';
  /** Set when the IVR enqueues the call (its contact opened); absent for calls never queued. */
  queue?: string;
  contactId?: string;
  customerId?: string;
  /** Retention class, from the queue when the call was linked; absent = the default retention. */
  class?: string;
}

/**
 * A reason to keep an expired recording (legal hold, not yet archived off-box), or
 * undefined when it may go. A guard that throws keeps the recording (fail safe).
 */
export type PurgeGuard = (recording: RecordingIndex) => Promise<string | undefined>;

/** One purge pass: how many went, and which expired recordings were kept and why. */
export interface PurgeReport {
  purged: number;
  kept: Array<{ callId: string; reasons: string[] }>;
}

/** What the console lists: no keys, no paths. */
export interface RecordingSummary {
  callId: string;
  startedAt: string;
  status: RecordingIndex['status'];
  legs: RecordedLeg[];
  pausedFor: string[];
  /** Interrupted, or a leg whose stream was never closed (the media worker died). */
  truncated: boolean;
  /** Retention class ('default' when the call was never queued or its queue has none). */
  class: string;
  queue?: string;
  contactId?: string;
  customerId?: string;
}

export interface StereoRecording {
  wav: Buffer;
  /** A leg stream lacks its FINAL tag, or the call never finished (process killed mid-call). */
  truncated: boolean;
  status: RecordingIndex['status'];
  legs: Partial<Record<RecordedLeg, { truncated: boolean; chunks: number; samples: number }>>;
}

/** One call's legs as PCM (8 kHz, on the call's timeline: sample 0 is the call's start). */
export interface LegAudio {
  status: RecordingIndex['status'];
  epochMs: number;
  truncated: boolean;
  legs: Partial<
    Record<RecordedLeg, { pcm: Int16Array; startSample: number; truncated: boolean; chunks: number }>
  >;
}

/** `rx:<startedAt>:<callId>`: the list's sort index (time and a random call id; nothing personal). */
const listKey = (d: Pick<RecordingIndex, 'startedAt' | 'callId'>) => `rx:${d.startedAt}:${d.callId}`;
const BACKFILL = 'meta:rx-backfill:v1';

function summaryOf(d: RecordingIndex): RecordingSummary {
  return {
    callId: d.callId,
    startedAt: d.startedAt,
    status: d.status,
    legs: Object.keys(d.legs) as RecordedLeg[],
    truncated:
      d.status !== 'complete' ||
      (Object.keys(d.legs) as RecordedLeg[]).some((l) => d.chunks[l] === undefined),
    pausedFor: d.events.filter((e) => e.what === 'pause' && e.reason).map((e) => e.reason ?? ''),
    class: d.class ?? 'default',
    ...(d.queue ? { queue: d.queue } : {}),
    ...(d.contactId ? { contactId: d.contactId } : {}),
    ...(d.customerId ? { customerId: d.customerId } : {}),
  };
}

/**
 * Index documents and per-leg keys for encrypted call recordings. The media
 * worker writes the streams; this side hands out keys (sealed at rest by the
 * crypto facade), keeps the index, renders stereo WAV and purges old calls.
 */
export class RecordingService {
  #store: DocStore;
  #crypto: CryptoFacade;
  #dir: string;
  #queue = new Map<string, Promise<unknown>>();
  #guards: PurgeGuard[] = [];

  constructor(store: DocStore, options: { crypto: CryptoFacade; dir: string }) {
    this.#store = store;
    this.#crypto = options.crypto;
    this.#dir = options.dir;
  }

  /** Serialises index updates per call (several legs report at once). */
  #update(callId: string, fn: (doc: RecordingIndex) => void): Promise<void> {
    const prev = this.#queue.get(callId) ?? Promise.resolve();
    const next = prev.then(async () => {
      const doc = await this.#store.get<RecordingIndex>(`rec:${callId}`);
      if (!doc) return;
      fn(doc);
      await this.#store.put(doc);
    });
    this.#queue.set(
      callId,
      next.catch(() => undefined),
    );
    return next;
  }

  async begin(callId: string, epochMs: number): Promise<void> {
    await mkdir(join(this.#dir, callId), { recursive: true, mode: 0o700 });
    const doc: RecordingIndex = {
      _id: `rec:${callId}`,
      callId,
      startedAt: new Date(epochMs).toISOString(),
      epochMs,
      legs: {},
      events: [],
      chunks: {},
      status: 'recording',
    };
    const entry = { _id: listKey(doc), callId };
    const [row] = await this.#store.bulkPut<object>([doc, entry]);
    if (!row || 'error' in row)
      throw new StorageError('STORAGE_IO', `Cannot write recording index [callId:${callId}]`);
  }

  /** A fresh key and path for one leg's stream, and the suite its cipher follows; the key is kept only sealed. */
  async legStream(
    callId: string,
    leg: RecordedLeg,
  ): Promise<{ path: string; key: string; suite: 'classic' | 'gm' }> {
    const key = randomBytes(32).toString('base64');
    const file = `${leg}.blrec`;
    const sealedKey = await this.#crypto.encrypt(key, 'recordings', {
      db: 'recordings',
      docId: `rec:${callId}`,
      field: leg,
    });
    await this.#update(callId, (d) => {
      d.legs[leg] = { file, sealedKey };
      d.events.push({ at: new Date().toISOString(), leg, what: 'start' });
    });
    return { path: join(this.#dir, callId, file), key, suite: this.#crypto.suite.name };
  }

  note(
    callId: string,
    leg: RecordedLeg | 'all',
    what: 'stop' | 'pause' | 'resume',
    reason?: string,
  ): Promise<void> {
    return this.#update(callId, (d) => {
      d.events.push({ at: new Date().toISOString(), leg, what, ...(reason ? { reason } : {}) });
    });
  }

  finish(callId: string, chunks: Partial<Record<RecordedLeg, number>>): Promise<void> {
    return this.#update(callId, (d) => {
      d.chunks = { ...d.chunks, ...chunks };
      d.status = 'complete';
    });
  }

  /** Records the call's queue, contact, customer and retention class (the IVR's enqueue). */
  link(
    callId: string,
    to: { queue?: string; contactId?: string; customerId?: string; class?: string },
  ): Promise<void> {
    return this.#update(callId, (d) => {
      // The first queue decides the class; a transfer to another queue does not shorten it.
      if (to.queue && !d.queue) d.queue = to.queue;
      if (to.contactId) d.contactId = to.contactId;
      if (to.customerId) d.customerId = to.customerId;
      if (to.class && !d.class) d.class = to.class;
    });
  }

  /**
   * Registers a guard the purge consults before deleting an expired recording
   * (legal holds; the off-box archive). Returns the function that removes it.
   * @example
   * const off = recordings.addPurgeGuard(async (r) => (archived(r.callId) ? undefined : 'not archived'));
   */
  addPurgeGuard(guard: PurgeGuard): () => void {
    this.#guards.push(guard);
    return () => {
      this.#guards = this.#guards.filter((g) => g !== guard);
    };
  }

  async index(callId: string): Promise<RecordingIndex | undefined> {
    return (await this.#store.get<RecordingIndex>(`rec:${callId}`)) ?? undefined;
  }

  /**
   * Both legs decoded to 8 kHz PCM on the call's timeline, in memory only (for
   * playback and for analysis; plaintext audio never touches the disk), with the
   * sample where each leg's recording started. The caller audits the read.
   */
  async legAudio(callId: string): Promise<LegAudio | undefined> {
    const doc = await this.index(callId);
    if (!doc) return undefined;
    const sodium = await loadStreamSodium();
    const out: LegAudio = {
      status: doc.status,
      epochMs: doc.epochMs,
      truncated: doc.status !== 'complete',
      legs: {},
    };
    for (const leg of ['customer', 'agent'] as const) {
      const info = doc.legs[leg];
      if (!info) continue;
      const key = await this.#crypto.decrypt(info.sealedKey, {
        db: 'recordings',
        docId: doc._id,
        field: leg,
      });
      const s = await readRecordingStreamAsync(
        join(this.#dir, callId, info.file),
        sodium,
        Buffer.from(key, 'base64'),
      );
      out.truncated ||= s.truncated;
      const start = doc.events.find((e) => e.leg === leg && e.what === 'start');
      out.legs[leg] = {
        pcm: decodeUlaw(s.ulaw),
        startSample: start ? Math.max(0, Math.round((Date.parse(start.at) - doc.epochMs) * 8)) : 0,
        truncated: s.truncated,
        chunks: s.chunks,
      };
    }
    return out;
  }

  /** Stereo 8 kHz 16-bit WAV: customer left, agent right. The caller audits the read. */
  async stereoWav(callId: string): Promise<StereoRecording | undefined> {
    const audio = await this.legAudio(callId);
    if (!audio) return undefined;
    const legs: StereoRecording['legs'] = {};
    for (const leg of ['customer', 'agent'] as const) {
      const a = audio.legs[leg];
      if (a) legs[leg] = { truncated: a.truncated, chunks: a.chunks, samples: a.pcm.length };
    }
    const l = audio.legs.customer?.pcm ?? new Int16Array(0);
    const r = audio.legs.agent?.pcm ?? new Int16Array(0);
    const n = Math.max(l.length, r.length);
    const pcm = new Int16Array(n * 2);
    for (let i = 0; i < n; i++) {
      pcm[2 * i] = l[i] ?? 0;
      pcm[2 * i + 1] = r[i] ?? 0;
    }
    return {
      wav: writeWavPcm16(pcm, { sampleRate: 8000, channels: 2 }),
      truncated: audio.truncated,
      status: audio.status,
      legs,
    };
  }

  async list(): Promise<RecordingSummary[]> {
    const docs = await this.#store.list<RecordingIndex>({ prefix: 'rec:' });
    return docs.map(summaryOf).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /** One call's summary, or undefined when it has no recording. */
  async summary(callId: string): Promise<RecordingSummary | undefined> {
    const doc = await this.#store.get<RecordingIndex>(`rec:${callId}`);
    return doc ? summaryOf(doc) : undefined;
  }

  /**
   * A page of recordings, newest first, through the `rx:` index: reads only the
   * page's index documents. `last` is the sort key to resume after.
   */
  async page(page: {
    limit: number;
    after?: string;
  }): Promise<{ recordings: RecordingSummary[]; last?: string }> {
    const res = await walkIndex<{ callId: string }, RecordingIndex>(this.#store, {
      prefixes: ['rx:'],
      limit: page.limit,
      after: page.after,
      descending: true,
      load: (entries) => Promise.all(entries.map((e) => this.index(e.callId))),
    });
    return { recordings: res.items.map(summaryOf), ...(res.last === undefined ? {} : { last: res.last }) };
  }

  /** Adds the `rx:` entries of recordings stored before the list index existed (once; an existing entry is kept). */
  async #backfill(docs: RecordingIndex[]): Promise<void> {
    if (await this.#store.get(BACKFILL)) return;
    for (let i = 0; i < docs.length; i += 500)
      await this.#store.bulkPut<{ callId: string }>(
        docs.slice(i, i + 500).map((d) => ({ _id: listKey(d), callId: d.callId })),
      );
    await this.#store.put({ _id: BACKFILL, done: true });
  }

  /**
   * At start-up no call is live, so an index still 'recording' belongs to a
   * process that died mid-call: mark it interrupted (its WAV says truncated).
   */
  async markInterrupted(): Promise<string[]> {
    const out: string[] = [];
    const docs = await this.#store.list<RecordingIndex>({ prefix: 'rec:' });
    await this.#backfill(docs);
    for (const d of docs) {
      if (d.status !== 'recording') continue;
      await this.#update(d.callId, (doc) => {
        doc.status = 'interrupted';
        doc.events.push({ at: new Date().toISOString(), leg: 'all', what: 'stop', reason: 'interrupted' });
      });
      out.push(d.callId);
    }
    return out;
  }

  /** Deletes recordings (files and index) older than the retention period; returns how many. */
  async purge(retentionDays: number, now = Date.now()): Promise<number> {
    if (!(retentionDays > 0))
      throw new OutOfRangeError('VOICE_INVALID_RETENTION', 'retentionDays must be > 0');
    return (await this.purgeExpired(() => retentionDays, now)).purged;
  }

  /**
   * Deletes every recording older than its own retention (`daysFor`, e.g. by class)
   * unless a purge guard gives a reason to keep it; kept ones are reported, not deleted.
   */
  async purgeExpired(daysFor: (recording: RecordingIndex) => number, now = Date.now()): Promise<PurgeReport> {
    const report: PurgeReport = { purged: 0, kept: [] };
    for (const doc of await this.#store.list<RecordingIndex>({ prefix: 'rec:' })) {
      const days = daysFor(doc);
      if (!(days > 0) || doc.epochMs >= now - days * 86_400_000) continue;
      const reasons: string[] = [];
      for (const guard of this.#guards) {
        const reason = await guard(doc).catch(
          (e: unknown) => `guard failed: ${e instanceof Error ? e.message : e}`,
        );
        if (reason) reasons.push(reason);
      }
      if (reasons.length > 0) {
        report.kept.push({ callId: doc.callId, reasons });
        continue;
      }
      await rm(join(this.#dir, doc.callId), { recursive: true, force: true });
      await this.#store.remove(doc._id, doc._rev);
      const entry = await this.#store.get(listKey(doc));
      if (entry) await this.#store.remove(entry._id, entry._rev);
      report.purged++;
    }
    return report;
  }
}
