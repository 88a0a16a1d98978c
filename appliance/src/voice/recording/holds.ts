import { randomUUID } from 'node:crypto';
import type { HoldKind, LegalHold } from '../../contracts/index.ts';
import type { EventBus } from '../../events/index.ts';
import type { DocStore } from '../../storage/index.ts';
import { VoiceError } from '../errors.ts';
import type { RecordingIndex, RecordingService } from './service.ts';

export type { HoldKind, LegalHold } from '../../contracts/index.ts';

interface HoldDoc extends LegalHold {
  _id: string;
  _rev?: string;
}

export interface HoldActor {
  userId: string;
  source?: string;
}

/** The customer of a contact (conversations); absent = contact holds do not name a customer. */
export type ContactOwner = (contactId: string) => Promise<string | undefined>;

const ID = /^[A-Za-z0-9:_-]{1,80}$/;
const text = (v: unknown, field: string, max: number, required: boolean): string | undefined => {
  const s = typeof v === 'string' ? v.trim() : '';
  if (!s && required) throw new VoiceError('VOICE_HOLD_INVALID', `${field} is required`, { field });
  if (s.length > max) throw new VoiceError('VOICE_HOLD_INVALID', `${field} is longer than ${max}`, { field });
  return s || undefined;
};

/** Legal holds on recordings, contacts and customers: stored, audited, consulted by purge and shred. */
export class LegalHolds {
  #store: DocStore;
  #bus: EventBus;
  #recordings: RecordingService;
  #now: () => number;
  contactOwner: ContactOwner | undefined;
  /** Active holds, read once and kept (every change goes through this class): the purge asks per recording. */
  #active: Promise<LegalHold[]> | undefined;

  constructor(
    store: DocStore,
    options: { bus: EventBus; recordings: RecordingService; now?: () => number; contactOwner?: ContactOwner },
  ) {
    this.#store = store;
    this.#bus = options.bus;
    this.#recordings = options.recordings;
    this.#now = options.now ?? Date.now;
    this.contactOwner = options.contactOwner;
  }

  async list(filter: { status?: LegalHold['status'] } = {}): Promise<LegalHold[]> {
    if (filter.status === 'active') {
      this.#active ??= this.#read({ status: 'active' }).catch((e: unknown) => {
        this.#active = undefined;
        throw e;
      });
      return [...(await this.#active)];
    }
    return this.#read(filter);
  }

  async #read(filter: { status?: LegalHold['status'] }): Promise<LegalHold[]> {
    const docs = await this.#store.list<HoldDoc>({ prefix: 'hold:' });
    return docs
      .filter((d) => !filter.status || d.status === filter.status)
      .map(({ _id, _rev, ...h }) => h)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async get(id: string): Promise<LegalHold | undefined> {
    const d = await this.#store.get<HoldDoc>(`hold:${id}`);
    if (!d) return undefined;
    const { _id, _rev, ...h } = d;
    return h;
  }

  /** Places a hold (reason required); the held thing must exist when it is a recording. */
  async create(
    input: { kind: HoldKind; targetId: string; reason: unknown; caseRef?: unknown },
    actor: HoldActor,
  ): Promise<LegalHold> {
    if (!ID.test(input.targetId))
      throw new VoiceError('VOICE_HOLD_INVALID', 'targetId is not a valid id', { field: 'targetId' });
    const reason = text(input.reason, 'reason', 500, true) as string;
    const caseRef = text(input.caseRef, 'caseRef', 100, false);
    let customerId: string | undefined;
    if (input.kind === 'customer') customerId = input.targetId;
    else if (input.kind === 'recording') {
      const rec = await this.#recordings.index(input.targetId);
      if (!rec) throw new VoiceError('VOICE_RECORDING_NOT_FOUND', `No recording for call ${input.targetId}`);
      customerId = rec.customerId;
    } else customerId = await this.contactOwner?.(input.targetId).catch(() => undefined);
    const hold: HoldDoc = {
      _id: '',
      id: randomUUID(),
      kind: input.kind,
      targetId: input.targetId,
      ...(customerId ? { customerId } : {}),
      reason,
      ...(caseRef ? { caseRef } : {}),
      status: 'active',
      createdAt: new Date(this.#now()).toISOString(),
      createdBy: actor.userId,
    };
    hold._id = `hold:${hold.id}`;
    await this.#store.put(hold);
    this.#active = undefined;
    await this.#bus.publish(
      'recording.hold_created',
      {
        holdId: hold.id,
        kind: hold.kind,
        targetId: hold.targetId,
        reason,
        ...(caseRef ? { caseRef } : {}),
        ...(customerId ? { customerId } : {}),
      },
      { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
    );
    const { _id, _rev, ...out } = hold;
    return out;
  }

  /** Releases an active hold (reason required); VOICE_HOLD_NOT_FOUND, VOICE_HOLD_RELEASED otherwise. */
  async release(id: string, reasonIn: unknown, actor: HoldActor): Promise<LegalHold> {
    const reason = text(reasonIn, 'reason', 500, true) as string;
    const d = await this.#store.get<HoldDoc>(`hold:${id}`);
    if (!d) throw new VoiceError('VOICE_HOLD_NOT_FOUND', `No legal hold ${id}`);
    if (d.status !== 'active')
      throw new VoiceError('VOICE_HOLD_RELEASED', `Legal hold ${id} is already released`);
    d.status = 'released';
    d.releasedAt = new Date(this.#now()).toISOString();
    d.releasedBy = actor.userId;
    d.releaseReason = reason;
    await this.#store.put(d);
    this.#active = undefined;
    await this.#bus.publish(
      'recording.hold_released',
      { holdId: id, kind: d.kind, targetId: d.targetId, reason },
      { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
    );
    const { _id, _rev, ...out } = d;
    return out;
  }

  /** Active holds covering a recording: on the call, its contact or its customer. */
  async covering(rec: Pick<RecordingIndex, 'callId' | 'contactId' | 'customerId'>): Promise<LegalHold[]> {
    return (await this.list({ status: 'active' })).filter(
      (h) =>
        (h.kind === 'recording' && h.targetId === rec.callId) ||
        (h.kind === 'contact' && h.targetId === rec.contactId) ||
        (h.kind === 'customer' && h.targetId === rec.customerId),
    );
  }

  /** The purge guard: a reason naming the holds, or undefined. */
  async reasonToKeep(rec: RecordingIndex): Promise<string | undefined> {
    const held = await this.covering(rec);
    return held.length > 0 ? `legal hold ${held.map((h) => h.id).join(', ')}` : undefined;
  }

  /** Active holds that forbid erasing a customer: on them, or on a recording or contact of theirs. */
  async blockingErasure(customerId: string): Promise<LegalHold[]> {
    return (await this.list({ status: 'active' })).filter(
      (h) => h.customerId === customerId || (h.kind === 'customer' && h.targetId === customerId),
    );
  }
}
