/**
 * The catalogue of domain events: name → payload. Names are
 * `context.past_tense`. Every state change publishes one; audit, analytics,
 * the WebSocket push and the sync outbox listen.
 */
export interface EventCatalogue {
  'user.created': { userId: string; username: string; roles: string[] };
  'user.updated': { userId: string; fields: string[] };
  'user.password_changed': { userId: string };
  'user.mfa_enrolled': { userId: string };
  'user.frozen': { userId: string; username: string; reason?: string };
  'user.unfrozen': { userId: string; username: string };
  'user.locked_out': { userId: string; until: string };
  'role.created': { roleId: string; permissions: string[] };
  'role.updated': { roleId: string; permissions: string[] };
  'role.deleted': { roleId: string };
  'session.started': { userId: string; sessionId: string };
  'session.ended': { userId: string; sessionId: string; reason: 'logout' | 'idle' | 'frozen' | 'replaced' };
  'auth.failed': {
    username: string;
    reason:
      | 'bad_credentials'
      | 'locked'
      | 'throttled'
      | 'mfa'
      | 'frozen'
      | 'directory_unavailable'
      | 'directory_no_role';
  };
  'audit.settings_changed': { fields: string[] };
  'audit.checkpoint_signed': { seq: number; root: string };
  'keys.rotated': { keyId: string; rewrapped: number };
  /** The crypto suite switched (classic ↔ gm) and the stores re-encrypted their fields online. */
  'keys.suite_migrated': { suite: string; rewritten: number; skipped: number };
  'customer.created': { customerId: string };
  'customer.shredded': { customerId: string };
  /** An erasure refused because a legal hold covers the customer's data. */
  'customer.erasure_refused': { customerId: string; holdIds: string[] };
  'system.alarm_raised': { alarm: string; severity: 'info' | 'warning' | 'critical'; detail?: string };
  'system.backup_created': { file: string; bytes: number };
}

export type EventType = keyof EventCatalogue;

export interface DomainEvent<K extends EventType = EventType> {
  /** Unique id, generated at publish. */
  readonly id: string;
  readonly type: K;
  /** UTC ISO-8601 time of the change. */
  readonly at: string;
  /** User id of whoever caused it, or 'system'. */
  readonly actor: string;
  /** Network address the change came from, when it came over the network. */
  readonly source?: string;
  readonly data: EventCatalogue[K];
}
