import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { againIn, type EventBus, type LoopNext, SupervisedLoop } from '../../events/index.ts';
import type { Logger } from '../../logging/index.ts';
import type { CryptoFacade, DocStore } from '../../storage/index.ts';
import type { ArchivedFileRecord, ArchiveState, ArchiveTarget } from './archive-types.ts';
import type { RecordingIndex, RecordingService } from './service.ts';

/** Consecutive failed passes before `recording.archive_failing` is alarmed (one alarm per outage). */
const ALARM_AFTER = 3;
const MAX_BACKOFF_MS = 30_000;
const MANIFEST = 'manifest.json';

export interface RecordingArchiverOptions {
  recordings: RecordingService;
  crypto: CryptoFacade;
  /** Where the leg files are (`<dataDir>/recordings`). */
  dir: string;
  target: ArchiveTarget;
  /** Whether the policy in force says archive-before-purge (read at every pass and every purge). */
  required: () => boolean;
  /**
   * Seals a leg's stream key to HQ's public key (crypto_box_seal, as tickets'
   * sealed fields); without it the manifest carries the key sealed by the
   * branch's recordings key, and HQ cannot read the audio.
   */
  sealForHq?: (key: string, place: { db: string; docId: string; field: string }) => Promise<string>;
  bus: EventBus;
  logger: Logger;
  /** Bytes per PUT (default 1 MiB). */
  chunkBytes?: number;
  /** Pause between passes when nothing is waiting (default 5 min). */
  everyMs?: number;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const b of createReadStream(path)) hash.update(b as Buffer);
  return hash.digest('hex');
}

/**
 * Copies each finished recording's encrypted leg files to HQ before the
 * retention purge may delete them (when the residency policy asks for it).
 * Files go as stored — ciphertext, never decrypted on the way — in chunks at
 * an offset; the durable cursor (`arc:<callId>`) and HQ's stored size let a
 * killed upload resume after the last acknowledged byte; a recording counts as
 * archived only when HQ's SHA-256 of what it stored equals the branch's. Its
 * purge guard keeps every recording not yet archived while the policy requires it.
 */
export class RecordingArchiver {
  readonly #store: DocStore;
  readonly #o: Required<Omit<RecordingArchiverOptions, 'sealForHq'>> &
    Pick<RecordingArchiverOptions, 'sealForHq'>;
  #loop: SupervisedLoop | undefined;
  #failures = 0;
  #offs: Array<() => void> = [];

  constructor(store: DocStore, options: RecordingArchiverOptions) {
    const chunkBytes = options.chunkBytes ?? 1024 * 1024;
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1024)
      throw new RangeError('Cannot archive recordings: chunkBytes must be an integer ≥ 1024');
    this.#store = store;
    this.#o = { chunkBytes, everyMs: 300_000, ...options };
  }

  /** The purge guard: a reason to keep a recording HQ has not verified yet, while the policy requires it. */
  readonly guard = async (recording: RecordingIndex): Promise<string | undefined> => {
    if (!this.#o.required()) return undefined;
    const state = await this.#store.get<ArchiveState>(`arc:${recording.callId}`);
    return state?.status === 'archived' ? undefined : 'not yet archived to HQ';
  };

  /** The archive state of one recording (the console and tests read it). */
  async state(callId: string): Promise<ArchiveState | undefined> {
    return (await this.#store.get<ArchiveState>(`arc:${callId}`)) ?? undefined;
  }

  start(): this {
    if (this.#loop) return this;
    this.#loop = new SupervisedLoop('voice.recording_archive', () => this.pass(), {
      everyMs: this.#o.everyMs,
      bus: this.#o.bus,
      log: this.#o.logger,
    }).start({ now: true });
    // A policy change or a finished call may have work now.
    this.#offs.push(this.#o.bus.subscribe('sync.policy_changed', () => this.#loop?.kick()));
    return this;
  }

  kick(): void {
    this.#loop?.kick();
  }

  /** One pass over the finished recordings; failures retry with back-off and alarm when they repeat. */
  async pass(): Promise<LoopNext> {
    if (!this.#o.required()) return undefined;
    try {
      for (const r of await this.#o.recordings.list()) {
        if (r.status === 'recording') continue;
        if ((await this.state(r.callId))?.status === 'archived') continue;
        await this.#archive(r.callId);
      }
    } catch (err) {
      this.#failures++;
      const detail = `recording archive: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500);
      this.#o.logger.warn(`archive pass failed [failures:${this.#failures}]`, { err });
      if (this.#failures === ALARM_AFTER)
        await this.#o.bus
          .publish('system.alarm_raised', { alarm: 'recording.archive_failing', severity: 'warning', detail })
          .catch(() => undefined);
      return againIn(Math.min(1000 * 2 ** Math.min(this.#failures - 1, 16), MAX_BACKOFF_MS));
    }
    if (this.#failures >= ALARM_AFTER) this.#o.logger.info(`archive recovered [after:${this.#failures}]`);
    this.#failures = 0;
    return undefined;
  }

  async #save(state: ArchiveState): Promise<void> {
    const r = await this.#store.put(state);
    state._rev = r.rev;
  }

  async #archive(callId: string): Promise<void> {
    const idx = await this.#o.recordings.index(callId);
    if (!idx) return;
    this.#o.logger.info(`archiving to HQ [callId:${callId}]`);
    const state: ArchiveState = (await this.state(callId)) ?? {
      _id: `arc:${callId}`,
      callId,
      status: 'uploading',
      files: {},
    };
    const legs = (['customer', 'agent'] as const).flatMap((leg) => {
      const info = idx.legs[leg];
      return info ? [{ leg, info, name: `${leg}.blrec`, path: join(this.#o.dir, callId, info.file) }] : [];
    });
    // The branch's hash first, kept durably: a resumed upload is verified against the same one.
    let fresh = false;
    for (const l of legs)
      if (!state.files[l.name]) {
        const s = await stat(l.path).catch(() => undefined);
        if (!s) continue; // a leg whose stream never got a byte
        state.files[l.name] = { size: s.size, sha256: await sha256Of(l.path), acked: 0 };
        fresh = true;
      }
    if (fresh) await this.#save(state);
    for (const l of legs) if (state.files[l.name]) await this.#upload(callId, l.name, l.path, state);
    const manifest = await this.#manifest(idx, legs, state);
    await this.#uploadBytes(callId, MANIFEST, Buffer.from(manifest), state);
    state.status = 'archived';
    state.archivedAt = new Date().toISOString();
    await this.#save(state);
    const files: ArchivedFileRecord[] = Object.entries(state.files).map(([file, f]) => ({
      file,
      size: f.size,
      sha256: f.sha256,
    }));
    await this.#o.bus.publish(
      'recording.archived',
      { callId, files, sealedTo: this.#o.sealForHq ? 'hq' : 'branch' },
      { actor: 'system' },
    );
  }

  /** The manifest (call, legs, hashes, each leg's key sealed to HQ), fixed once so a re-send is identical. */
  async #manifest(
    idx: RecordingIndex,
    legs: Array<{ leg: 'customer' | 'agent'; info: { sealedKey: string }; name: string }>,
    state: ArchiveState,
  ): Promise<string> {
    const kept = await this.#store.get<{ text: string }>(`arc-manifest:${idx.callId}`);
    if (kept) return kept.text;
    const out: Record<string, unknown> = {};
    for (const { leg, info, name } of legs) {
      const f = state.files[name];
      if (!f) continue;
      const place = { db: 'recordings', docId: idx._id, field: leg };
      const key = this.#o.sealForHq
        ? await this.#o.sealForHq(await this.#o.crypto.decrypt(info.sealedKey, place), place)
        : info.sealedKey;
      out[leg] = { file: name, size: f.size, sha256: f.sha256, key };
    }
    const text = JSON.stringify({
      v: 1,
      callId: idx.callId,
      startedAt: idx.startedAt,
      status: idx.status,
      stream: 'libsodium secretstream xchacha20poly1305, 32-byte key per leg',
      keySealedTo: this.#o.sealForHq ? 'hq' : 'branch',
      legs: out,
    });
    await this.#store.put({ _id: `arc-manifest:${idx.callId}`, text });
    return text;
  }

  async #uploadBytes(callId: string, name: string, bytes: Buffer, state: ArchiveState): Promise<void> {
    if (!state.files[name]) {
      state.files[name] = {
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        acked: 0,
      };
      await this.#save(state);
    }
    const held = await this.#o.target.stored(callId, name);
    if (!held || held.size < bytes.length) {
      const r = await this.#o.target.put(callId, name, held?.size ?? 0, bytes.subarray(held?.size ?? 0));
      (state.files[name] as { acked: number }).acked = r.size;
    }
    await this.#verify(callId, name, state);
  }

  /** Sends what HQ lacks of one file, chunk by chunk, from HQ's stored size on; then verifies. */
  async #upload(callId: string, name: string, path: string, state: ArchiveState): Promise<void> {
    const f = state.files[name];
    if (!f) return;
    const held = await this.#o.target.stored(callId, name);
    let offset = held?.size ?? 0;
    if (offset > f.size)
      throw new Error(`HQ holds more of ${callId}/${name} than the branch (${offset} > ${f.size})`);
    if (offset < f.acked)
      this.#o.logger.warn(`HQ holds less than it acknowledged; resending [callId:${callId}, file:${name}]`);
    if (offset < f.size) {
      const fh = await open(path, 'r');
      try {
        while (offset < f.size) {
          const n = Math.min(this.#o.chunkBytes, f.size - offset);
          const buf = Buffer.alloc(n);
          const { bytesRead } = await fh.read(buf, 0, n, offset);
          if (bytesRead !== n) throw new Error(`Recording file ${callId}/${name} changed while archiving`);
          const r = await this.#o.target.put(callId, name, offset, buf);
          offset = r.size;
          f.acked = offset;
          await this.#save(state);
        }
      } finally {
        await fh.close();
      }
    }
    await this.#verify(callId, name, state);
  }

  async #verify(callId: string, name: string, state: ArchiveState): Promise<void> {
    const f = state.files[name];
    const held = await this.#o.target.stored(callId, name);
    if (!f || !held || held.size !== f.size || held.sha256 !== f.sha256)
      throw new Error(
        `HQ's copy of ${callId}/${name} does not match the branch's (size ${held?.size ?? 0}/${f?.size}, sha256 ${held?.sha256 ?? '-'} vs ${f?.sha256})`,
      );
  }

  async close(): Promise<void> {
    for (const off of this.#offs) off();
    this.#offs = [];
    await this.#loop?.close();
    this.#loop = undefined;
  }
}
