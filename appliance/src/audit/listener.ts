import { createHash } from 'node:crypto';
import type { DomainEvent, EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { AuditLog } from './log.ts';
import type { AuditOutcome, AuditRecord } from './types.ts';

const log = createLogger('audit');

/** Events the log writes itself; recording them again would double them (and loop on checkpoints). */
const SELF_RECORDED = new Set(['audit.settings_changed', 'audit.checkpoint_signed']);
/**
 * Derived, high-rate notifications that change no state (a KPI snapshot, a typing
 * indicator, refreshed suggestions): the changes they summarise are audited
 * already, and recording each push would flood the append-only log.
 */
const NOT_STATE_CHANGES = new Set([
  'analytics.wallboard_updated',
  'webchat.visitor_typing',
  'intelligence.assist_updated',
]);
const DENIED = new Set(['auth.failed', 'auth.sso_refused']);

/** `user:u1` from `{ userId: 'u1' }`: the first `…Id` field names the target. */
export function targetOf(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  for (const [k, v] of Object.entries(data)) {
    if (k.endsWith('Id') && k.length > 2 && (typeof v === 'string' || typeof v === 'number')) {
      return `${k.slice(0, -2)}:${v}`;
    }
  }
  return undefined;
}

function outcomeOf(event: DomainEvent): AuditOutcome {
  return DENIED.has(event.type) ? 'denied' : 'success';
}

/**
 * Appends a record for every domain event on the bus. Returns the unsubscribe
 * function. The bus awaits handlers, so a publisher that awaits `publish()`
 * knows its change is in the audit log.
 */
export function attachAuditListener(bus: EventBus, audit: AuditLog): () => void {
  return bus.subscribe('*', async (event) => {
    if (SELF_RECORDED.has(event.type) || NOT_STATE_CHANGES.has(event.type)) return;
    const target = targetOf(event.data);
    try {
      await audit.append({
        actor: event.actor,
        action: event.type,
        outcome: outcomeOf(event),
        ...(target === undefined ? {} : { target }),
        ...(event.source === undefined ? {} : { source: event.source }),
        details: { ...(event.data as Record<string, unknown>), eventId: event.id },
      });
    } catch (err) {
      log.error(`audit append failed [type:${event.type}, eventId:${event.id}]`, { err });
      throw err;
    }
  });
}

export interface PersonalDataRead {
  /** User id of the reader. */
  actor: string;
  /** What was read, e.g. `customer:c42`; for a batch see `batchTarget()`. */
  target: string;
  source?: string;
  /** Which fields were revealed (names only, never values). */
  fields?: string[];
  /** Default `customer.read`. */
  action?: string;
  outcome?: AuditOutcome;
  /** Extra context kept in the record's details (e.g. a batch's count, digest and ids); bounded like all details. */
  details?: Record<string, unknown>;
}

/** Ids listed in a batch record's details, at most (their digest covers them all). */
const BATCH_IDS_CHARS = 2500;

/**
 * One audit record for a read of many documents: the target names the batch by
 * a digest of its sorted ids, so it never grows with the batch (the log's 500-char
 * target limit failed a batch of 14 ticket ids); the details keep the count, the
 * digest and the ids (as many as fit the details bound; `idsOmitted` counts the rest).
 * @example
 * const { target, details } = batchTarget('ticket', ids); // target 'ticket:batch:sha256-…'
 */
export function batchTarget(
  kind: string,
  ids: readonly string[],
): { target: string; details: Record<string, unknown> } {
  const sorted = [...new Set(ids)].sort();
  // base64url, not hex: a hex digest can hold a long digit run, which details masking would mangle.
  const digest = `sha256-${createHash('sha256').update(sorted.join('\n')).digest('base64url')}`;
  const listed: string[] = [];
  let chars = 0;
  for (const id of sorted) {
    chars += id.length + 3;
    if (chars > BATCH_IDS_CHARS || listed.length >= 50) break;
    listed.push(id);
  }
  return {
    target: `${kind}:batch:${digest}`,
    details: {
      count: sorted.length,
      digest,
      ids: listed,
      ...(listed.length < sorted.length ? { idsOmitted: sorted.length - listed.length } : {}),
    },
  };
}

/**
 * Records a read of personal data (reads publish no domain event, so routes
 * call this explicitly before returning the data).
 */
export function recordPersonalDataRead(audit: AuditLog, read: PersonalDataRead): Promise<AuditRecord> {
  return audit.append({
    actor: read.actor,
    action: read.action ?? 'customer.read',
    target: read.target,
    outcome: read.outcome ?? 'success',
    ...(read.source === undefined ? {} : { source: read.source }),
    ...(read.fields === undefined && read.details === undefined
      ? {}
      : { details: { ...read.details, ...(read.fields === undefined ? {} : { fields: read.fields }) } }),
  });
}
