import { randomUUID } from 'node:crypto';
import type { DocStore } from '../../storage/index.ts';
import { VoiceError } from '../errors.ts';
import { EXPORT_FORMAT, type ExportManifest, manifestBytes, sha256, writeTar } from './export-verify.ts';
import type { LegalHolds } from './holds.ts';
import type { RecordingService } from './service.ts';

/** Signs bytes with the appliance's Ed25519 audit key (audit/signing-key.ts). */
export interface ExportSigner {
  publicKey: string;
  sign(message: Uint8Array): string;
}

interface ExportDoc {
  _id: string;
  callId: string;
  at: string;
  by: string;
  reason: string;
  manifestSha256: string;
}

/**
 * Exports of recordings for evidence: a tar of the decrypted stereo WAV and a
 * manifest (hashes, call, times, who and why, holds and earlier exports) signed
 * with the audit key, so anyone holding the public key can check it offline.
 */
export class RecordingExports {
  #store: DocStore;
  #recordings: RecordingService;
  #holds: LegalHolds;
  #signer: () => ExportSigner | undefined;
  #now: () => number;

  constructor(
    store: DocStore,
    o: {
      recordings: RecordingService;
      holds: LegalHolds;
      signer: () => ExportSigner | undefined;
      now?: () => number;
    },
  ) {
    this.#store = store;
    this.#recordings = o.recordings;
    this.#holds = o.holds;
    this.#signer = o.signer;
    this.#now = o.now ?? Date.now;
  }

  /** Earlier exports of a call, oldest first. */
  async history(callId: string): Promise<ExportDoc[]> {
    return (await this.#store.list<ExportDoc>({ prefix: `rxexp:${callId}:` })).sort((a, b) =>
      a.at.localeCompare(b.at),
    );
  }

  /** Builds the archive and records the export in the recording's chain of custody. The caller audits the read. */
  async export(
    callId: string,
    input: { reason: unknown; actor: { userId: string; source?: string } },
  ): Promise<{ tar: Buffer; manifest: ExportManifest; fileName: string }> {
    const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
    if (!reason || reason.length > 500)
      throw new VoiceError('VOICE_EXPORT_INVALID', 'An export needs a reason (1..500 characters)', {
        field: 'reason',
      });
    const signer = this.#signer();
    if (!signer) throw new VoiceError('VOICE_EXPORT_UNAVAILABLE', 'No signing key to sign the export with');
    const rec = await this.#recordings.index(callId);
    const wav = rec ? await this.#recordings.stereoWav(callId) : undefined;
    if (!rec || !wav) throw new VoiceError('VOICE_RECORDING_NOT_FOUND', `No recording for call ${callId}`);
    const holds = (await this.#holds.list()).filter(
      (h) =>
        (h.kind === 'recording' && h.targetId === callId) ||
        (h.kind === 'contact' && h.targetId === rec.contactId) ||
        (h.kind === 'customer' && h.targetId === rec.customerId),
    );
    const custody: ExportManifest['custody'] = [];
    for (const h of holds) {
      custody.push({
        at: h.createdAt,
        what: 'hold_created',
        by: h.createdBy,
        reason: h.reason,
        holdId: h.id,
        ...(h.caseRef ? { caseRef: h.caseRef } : {}),
      });
      if (h.releasedAt)
        custody.push({
          at: h.releasedAt,
          what: 'hold_released',
          by: h.releasedBy ?? '',
          reason: h.releaseReason ?? '',
          holdId: h.id,
        });
    }
    for (const e of await this.history(callId))
      custody.push({ at: e.at, what: 'exported', by: e.by, reason: e.reason });
    custody.sort((a, b) => a.at.localeCompare(b.at));
    const name = `call-${callId}.wav`;
    const at = new Date(this.#now()).toISOString();
    const last = rec.events.at(-1)?.at;
    const manifest: ExportManifest = {
      format: EXPORT_FORMAT,
      callId,
      startedAt: rec.startedAt,
      ...(last ? { endedAt: last } : {}),
      status: rec.status,
      truncated: wav.truncated,
      class: rec.class ?? 'default',
      ...(rec.queue ? { queue: rec.queue } : {}),
      ...(rec.contactId ? { contactId: rec.contactId } : {}),
      ...(rec.customerId ? { customerId: rec.customerId } : {}),
      files: [
        {
          name,
          sha256: sha256(wav.wav),
          bytes: wav.wav.length,
          content: 'audio/wav; 8 kHz 16-bit stereo, customer left, agent right',
        },
      ],
      exportedAt: at,
      exportedBy: {
        userId: input.actor.userId,
        ...(input.actor.source ? { source: input.actor.source } : {}),
      },
      reason,
      custody,
    };
    manifest.signature = {
      alg: 'ed25519',
      publicKey: signer.publicKey,
      value: signer.sign(manifestBytes(manifest)),
    };
    const json = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    const doc: ExportDoc = {
      _id: `rxexp:${callId}:${at}:${randomUUID().slice(0, 8)}`,
      callId,
      at,
      by: input.actor.userId,
      reason,
      manifestSha256: sha256(json),
    };
    await this.#store.put(doc);
    return {
      tar: writeTar(
        [
          { name: 'manifest.json', data: json },
          { name, data: wav.wav },
        ],
        this.#now(),
      ),
      manifest,
      fileName: `call-${callId}-export.tar`,
    };
  }
}
