import { COMMITTED_FIELDS, isFormat2, openingOf } from '../../appliance/src/audit/index.ts';
import { canonicalJson } from './canonical.ts';
import { type DataClass, type FieldRule, type ResidencyPolicy, ruleFor } from './policy.ts';
import type { PouchDoc } from './pouch.ts';
import { type Sealer, shapeValue } from './shape.ts';

/**
 * Target kinds (`customer:<id>`) whose id names a customer or one of their
 * contacts (a routing task of a contact has the contact's id).
 */
const PERSON_KINDS = new Set(['customer', 'contact', 'conversation', 'task']);
/** Detail keys (at any depth) that hold such an id, or a list of them. */
const PERSON_ID_KEYS = new Set([
  'customerId',
  'contactId',
  'conversationId',
  'taskId',
  'mergedInto',
  'customerIds',
  'contactIds',
]);
/** In a `customer.*` record these name customers too (merge source and target, display name). */
const CUSTOMER_ACTION_KEYS: Record<string, [DataClass, string] | 'id'> = {
  sourceId: 'id',
  targetId: 'id',
  name: ['crm', 'name'],
};
/** Detail keys that repeat a ticket or CRM field: that field's own rule shapes them. */
const DESCRIBES: Record<string, [DataClass, string]> = {
  customerName: ['tickets', 'customerName'],
  customerPhone: ['tickets', 'customerPhone'],
  subject: ['tickets', 'subject'],
  description: ['tickets', 'description'],
  phone: ['crm', 'phone'],
  email: ['crm', 'email'],
  address: ['crm', 'address'],
  idCard: ['crm', 'idCard'],
  bankCard: ['crm', 'bankCard'],
};
const WITHHELD_ID = '[withheld]';

interface Ctx {
  policy: ResidencyPolicy;
  tokenKey: Uint8Array;
  sealer: Sealer;
  docId: string;
  action: string;
  targetKind: string | undefined;
  /** The person ids this record names: the same value under any other key is shaped the same way. */
  aliases: Set<string>;
}

/**
 * A customer or contact id in audit is shaped like the ticket's `customerId`
 * (token for token, so HQ joins audit to tickets by token and never sees the
 * id); the audit class may name `details.<key>` to say otherwise.
 */
function idRule(ctx: Ctx, key: string): FieldRule {
  return ctx.policy.classes.audit?.fields[`details.${key}`] ?? ruleFor(ctx.policy, 'tickets', 'customerId');
}

function isIdKey(ctx: Pick<Ctx, 'action' | 'targetKind'>, key: string): boolean {
  if (PERSON_ID_KEYS.has(key)) return true;
  if (key === 'ids') return ctx.targetKind !== undefined && PERSON_KINDS.has(ctx.targetKind);
  return ctx.action.startsWith('customer.') && CUSTOMER_ACTION_KEYS[key] === 'id';
}

/** The rule for one detail key, or undefined when the key names nothing personal (it passes as it is). */
function detailRule(ctx: Ctx, key: string, value: unknown): FieldRule | undefined {
  const explicit = ctx.policy.classes.audit?.fields[`details.${key}`];
  if (explicit) return explicit;
  if (isIdKey(ctx, key) || (typeof value === 'string' && ctx.aliases.has(value))) return idRule(ctx, key);
  const byAction = ctx.action.startsWith('customer.') ? CUSTOMER_ACTION_KEYS[key] : undefined;
  const described = byAction === 'id' ? undefined : (byAction ?? DESCRIBES[key]);
  return described ? ruleFor(ctx.policy, described[0], described[1]) : undefined;
}

/** Every string held under an id key (at any depth) or as the id of a person target. */
function collectIds(
  ctx: Pick<Ctx, 'action' | 'targetKind'>,
  value: unknown,
  out: Set<string>,
  isId = false,
): void {
  if (typeof value === 'string') {
    if (isId) out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectIds(ctx, v, out, isId);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectIds(ctx, v, out, isIdKey(ctx, k));
  }
}

async function applyRule(ctx: Ctx, rule: FieldRule, value: unknown, field: string): Promise<unknown> {
  if (Array.isArray(value) && rule === 'token')
    return Promise.all(value.map((v) => shapeValue(rule, v, place(ctx, field), ctx)));
  return shapeValue(rule, value, place(ctx, field), ctx);
}

const place = (ctx: Ctx, field: string) => ({ db: 'audit', docId: ctx.docId, field });

async function shapeDetails(ctx: Ctx, value: unknown, path: string): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => shapeDetails(ctx, v, path)));
  // A person id this record names, repeated in a list or under a key of its own.
  if (typeof value === 'string' && ctx.aliases.has(value))
    return applyRule(ctx, idRule(ctx, path.slice(path.lastIndexOf('.') + 1)), value, path);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const rule = detailRule(ctx, k, v);
    const shaped =
      rule === undefined
        ? await shapeDetails(ctx, v, `${path}.${k}`)
        : await applyRule(ctx, rule, v, `${path}.${k}`);
    if (shaped !== undefined) out[k] = shaped;
  }
  return out;
}

/** `customer:<uuid>` → `customer:tok:…` (batch targets name a digest, not an id, and pass). */
async function shapeTarget(ctx: Ctx, target: unknown): Promise<unknown> {
  if (typeof target !== 'string') return target;
  const m = /^([a-z_]+):(.+)$/.exec(target);
  if (!m?.[1] || !m[2] || m[2].startsWith('batch:')) return target;
  if (!PERSON_KINDS.has(m[1]) && !ctx.aliases.has(m[2])) return target;
  const id = await shapeValue(idRule(ctx, `${m[1]}Id`), m[2], place(ctx, 'target'), ctx);
  return `${m[1]}:${id === undefined || id === null ? WITHHELD_ID : String(id)}`;
}

/**
 * Shapes one audit store record for HQ by the residency policy. The chain
 * fields (seq, at, action, outcome, prevHash, hash, and in format 2 `v` and
 * `commits`) carry no personal data and leave as they are, so HQ's witness can
 * check the chain; actor, target, source and details follow the audit class,
 * with customer and contact ids and personal detail keys shaped by the rule of
 * the ticket or CRM field they describe. The salt never leaves. A format 2
 * field that leaves unchanged ships its opening key (HQ checks it against its
 * commitment); a format 1 record whose content changed is marked `shaped`
 * (HQ checks its chain, not its content).
 */
export async function shapeAuditRecord(
  doc: PouchDoc,
  policy: ResidencyPolicy,
  options: { tokenKey: Uint8Array; sealer: Sealer },
): Promise<PouchDoc> {
  const target = typeof doc['target'] === 'string' ? doc['target'] : '';
  const m = /^([a-z_]+):(.+)$/.exec(target);
  const ctx: Ctx = {
    policy,
    ...options,
    docId: doc._id,
    action: typeof doc['action'] === 'string' ? doc['action'] : '',
    targetKind: m?.[1],
    aliases: new Set(),
  };
  collectIds(ctx, doc['details'], ctx.aliases);
  if (m?.[1] && m[2] && PERSON_KINDS.has(m[1]) && !m[2].startsWith('batch:')) ctx.aliases.add(m[2]);
  const v2 = isFormat2(doc);
  const salt = typeof doc['salt'] === 'string' ? doc['salt'] : undefined;
  const out: PouchDoc = { _id: doc._id, class: 'audit', policyVersion: policy.version };
  const openings: Record<string, string> = {};
  let changed = false;
  for (const [field, value] of Object.entries(doc)) {
    if (field.startsWith('_') || field === 'salt') continue;
    if (!(COMMITTED_FIELDS as readonly string[]).includes(field)) {
      out[field] = value;
      continue;
    }
    const rule = ruleFor(policy, 'audit', field);
    const shaped =
      rule !== 'plain'
        ? await shapeValue(rule, value, place(ctx, field), ctx)
        : field === 'target'
          ? await shapeTarget(ctx, value)
          : field === 'details'
            ? await shapeDetails(ctx, value, 'details')
            : value;
    if (shaped !== undefined) out[field] = shaped;
    if (shaped === undefined || canonicalJson(shaped) !== canonicalJson(value)) changed = true;
    else if (v2 && salt) openings[field] = openingOf(salt, field, doc['alg'] === 'sm3' ? 'sm3' : 'sha256');
  }
  if (v2 && Object.keys(openings).length > 0) out['openings'] = openings;
  if (!v2 && changed) out['shaped'] = true;
  return out;
}
