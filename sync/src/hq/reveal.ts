import { randomUUID } from 'node:crypto';
import { signControl } from '../control.ts';
import type { PouchDb } from '../pouch.ts';
import { HQ_SEAL_PREFIX, openHqSealed } from '../seal.ts';
import { HqError } from './errors.ts';
import type { HqKeys } from './hq-keys.ts';
import type { OperatorLog } from './operator-log.ts';
import type { OperatorAccounts } from './operators.ts';

/** The classes whose records HQ shows field by field (audit is the witness's, not a record view). */
export type RecordClass = 'tickets' | 'crm';
export const RECORD_CLASSES: readonly RecordClass[] = ['tickets', 'crm'];

/** One field of a record as HQ holds it: the value only when plain or a token, never a sealed box. */
export interface RecordField {
  kind: 'plain' | 'token' | 'sealed' | 'withheld';
  value?: unknown;
}

type Stamp = { v?: unknown; withheld?: boolean };

/** How HQ shows a stamped field: sealed boxes as "sealed", tokens as they are. */
export function fieldOf(stamp: Stamp): RecordField {
  if (stamp.withheld || stamp.v === null || stamp.v === undefined) return { kind: 'withheld' };
  if (typeof stamp.v === 'string' && stamp.v.startsWith(HQ_SEAL_PREFIX)) return { kind: 'sealed' };
  if (typeof stamp.v === 'string' && stamp.v.startsWith('tok:')) return { kind: 'token', value: stamp.v };
  return { kind: 'plain', value: stamp.v };
}

export interface RevealRequest {
  branch: string;
  cls: RecordClass;
  docId: string;
  field: string;
  reason: string;
}

export interface RevealDeps {
  accounts: Pick<OperatorAccounts, 'hasRole'>;
  log: Pick<OperatorLog, 'record'>;
  keys: () => Promise<HqKeys>;
  db: (name: string) => PouchDb;
}

/**
 * Opens one sealed field of one record for an operator with the `reveal`
 * role. Order matters: the right is checked (a refusal is logged), the
 * field is opened, the reveal is logged at HQ (never the value), and the
 * signed `hq_reveal` notice is in the branch's inbound db — only then is the
 * value returned, so no reveal goes unwitnessed.
 */
export async function revealField(deps: RevealDeps, operator: string, r: RevealRequest): Promise<string> {
  const where = { branch: r.branch, cls: r.cls, docId: r.docId, field: r.field, reason: r.reason };
  if (!(await deps.accounts.hasRole(operator, 'reveal'))) {
    await deps.log.record('record.reveal_refused', operator, where);
    throw new HqError('HQ_FORBIDDEN', 'You do not have the reveal right', { status: 403 });
  }
  const doc = await deps
    .db(`b-${r.branch}-${r.cls}`)
    .get(r.docId)
    .catch(() => undefined);
  if (!doc)
    throw new HqError('HQ_NOT_FOUND', `No record ${r.docId} of ${r.branch}/${r.cls}`, { status: 404 });
  const stamp = (doc['f'] as Record<string, Stamp> | undefined)?.[r.field];
  if (!stamp || fieldOf(stamp).kind !== 'sealed')
    throw new HqError('HQ_FIELD_NOT_SEALED', `Field ${r.field} of ${r.docId} is not a sealed field`, {
      status: 409,
    });
  const keys = await deps.keys();
  let value: string;
  try {
    value = await openHqSealed(keys.seal.privateKey, String(stamp.v), {
      db: r.cls,
      docId: r.docId,
      field: r.field,
    });
  } catch {
    await deps.log.record('record.reveal_failed', operator, where);
    throw new HqError('HQ_FIELD_UNOPENABLE', 'The sealed field does not open with HQ’s key', { status: 422 });
  }
  const revealId = randomUUID();
  const at = new Date().toISOString();
  await deps.log.record('record.field_revealed', operator, { ...where, revealId });
  const notice = {
    _id: `reveal:${revealId}`,
    type: 'hq_reveal',
    operator,
    cls: r.cls,
    docId: r.docId,
    field: r.field,
    reason: r.reason,
    at,
  };
  // Signed like a freeze: the branch verifies it against HQ's pinned control key, once per nonce.
  await deps.db(`b-${r.branch}-inbound`).put(signControl(notice, r.branch, keys.control));
  return value;
}
