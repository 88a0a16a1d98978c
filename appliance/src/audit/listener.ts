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
const DENIED = new Set(['auth.failed']);

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
  /** What was read, e.g. `customer:c42`. */
  target: string;
  source?: string;
  /** Which fields were revealed (names only, never values). */
  fields?: string[];
  /** Default `customer.read`. */
  action?: string;
  outcome?: AuditOutcome;
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
    ...(read.fields === undefined ? {} : { details: { fields: read.fields } }),
  });
}
