import { ids } from './ids.ts';
import type { FieldDef, FieldValue, ImportKind, RowError } from './types.ts';
import { type Check, checkFor, checks, isErr } from './validate.ts';

type Doc = Record<string, unknown> & { _id: string };

/** What one valid row becomes: documents to write, and for customer rows the core customer to create. */
export interface RowOutput {
  key: string;
  docs: Doc[];
  customer?: { id: string; name: string; phone?: string; email?: string };
}

export interface RowContext {
  defs: FieldDef[];
  /** External id → customer id, or undefined when no such customer exists. */
  resolve(externalId: string): Promise<string | undefined>;
  customerIdFor(externalId: string): string;
  /** Reads a phone number in the branch's region; throws CUSTOMERS_INVALID_FIELD when it is none. */
  parsePhone(raw: string): { e164: string };
  now: string;
}

const ORDER_STATUS = ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'returned'] as const;
const WARRANTY_STATUS = ['active', 'expired', 'void', 'claimed'] as const;

/** Reads cells through checks, collecting one error per bad field. */
class Cells {
  errors: RowError[] = [];
  constructor(
    readonly row: number,
    readonly cells: Record<string, string>,
  ) {}

  get<T>(field: string, check: Check<T>, required: true): T;
  get<T>(field: string, check: Check<T>, required: false): T | undefined;
  get<T>(field: string, check: Check<T>, required: boolean): T | undefined {
    const raw = (this.cells[field] ?? '').trim();
    if (raw === '') {
      if (required) this.errors.push({ row: this.row, field, reason: 'required' });
      return undefined;
    }
    const v = check(raw);
    if (isErr(v)) {
      this.errors.push({ row: this.row, field, reason: v.error });
      return undefined;
    }
    return v;
  }

  async customer(ctx: RowContext): Promise<string | undefined> {
    const ext = this.get('customerExternalId', checks.key, false);
    const direct = this.get('customerId', checks.key, false);
    if (direct) return direct;
    if (!ext) {
      if (this.errors.length === 0) {
        this.errors.push({ row: this.row, field: 'customerExternalId', reason: 'required' });
      }
      return undefined;
    }
    const id = await ctx.resolve(ext);
    if (!id) this.errors.push({ row: this.row, field: 'customerExternalId', reason: 'unknown customer' });
    return id;
  }
}

/** Validated here so the row is reported; the customer keeps what was typed (customers stores both forms). */
const phoneCheck =
  (ctx: RowContext) =>
  (raw: string): string | { error: string } => {
    try {
      ctx.parsePhone(raw);
      return raw;
    } catch {
      return { error: 'not a phone number' };
    }
  };

function emailCheck(raw: string): string | { error: string } {
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(raw) && raw.length <= 254 ? raw : { error: 'not an email' };
}

async function customerRow(c: Cells, ctx: RowContext): Promise<RowOutput | undefined> {
  const externalId = c.get('externalId', checks.key, true);
  const name = c.get('name', checks.text(200), true);
  const phone = c.get('phone', phoneCheck(ctx), false);
  const email = c.get('email', emailCheck, false);
  const plain: Record<string, FieldValue> = {};
  const pii: Record<string, FieldValue> = {};
  for (const def of ctx.defs) {
    const v = def.required ? c.get(def.name, checkFor(def), true) : c.get(def.name, checkFor(def), false);
    if (v !== undefined) (def.pii ? pii : plain)[def.name] = v;
  }
  if (c.errors.length > 0 || !externalId || !name) return undefined;
  const customerId = ctx.customerIdFor(externalId);
  const profile: Doc = {
    _id: ids.profile(customerId),
    type: 'profile',
    customerId,
    externalId,
    fields: plain,
    ...(Object.keys(pii).length > 0 ? { sealed: JSON.stringify(pii) } : {}),
    updatedAt: ctx.now,
  };
  return {
    key: externalId,
    docs: [profile, { _id: ids.external(externalId), type: 'ext', ref: customerId }],
    customer: { id: customerId, name, ...(phone ? { phone } : {}), ...(email ? { email } : {}) },
  };
}

async function orderRow(c: Cells, ctx: RowContext): Promise<RowOutput | undefined> {
  const orderNo = c.get('orderNo', checks.key, true);
  const date = c.get('date', checks.date, true);
  const items = c.get('items', checks.items, true);
  const amount = c.get('amount', checks.money, true);
  const status = c.get('status', checks.oneOf(ORDER_STATUS), true);
  const address = c.get('address', checks.text(500), false);
  const customerId = await c.customer(ctx);
  if (c.errors.length > 0 || !orderNo || !customerId) return undefined;
  const doc: Doc = {
    _id: ids.order(customerId, orderNo),
    type: 'order',
    orderNo,
    customerId,
    date,
    items,
    amount,
    status,
    ...(address ? { address } : {}),
  };
  return { key: orderNo, docs: [doc] };
}

async function warrantyRow(c: Cells, ctx: RowContext): Promise<RowOutput | undefined> {
  const serial = c.get('serial', checks.key, true);
  const sku = c.get('sku', checks.key, true);
  const start = c.get('start', checks.date, true);
  const end = c.get('end', checks.date, true);
  const status = c.get('status', checks.oneOf(WARRANTY_STATUS), true);
  if (start && end && end < start) c.errors.push({ row: c.row, field: 'end', reason: 'before start' });
  const customerId = await c.customer(ctx);
  if (c.errors.length > 0 || !serial || !customerId) return undefined;
  return {
    key: serial,
    docs: [
      {
        _id: ids.warranty(customerId, serial),
        type: 'warranty',
        serial,
        customerId,
        sku,
        start,
        end,
        status,
      },
    ],
  };
}

async function productRow(c: Cells): Promise<RowOutput | undefined> {
  const sku = c.get('sku', checks.key, true);
  const name = c.get('name', checks.text(200), true);
  const category = c.get('category', checks.text(100), false);
  const warrantyMonths = c.get('warrantyMonths', checks.number, false);
  if (c.errors.length > 0 || !sku || !name) return undefined;
  const doc: Doc = { _id: ids.product(sku), type: 'product', sku, name };
  if (category) doc.category = category;
  if (warrantyMonths !== undefined) doc.warrantyMonths = warrantyMonths;
  return { key: sku, docs: [doc] };
}

const MAPPERS: Record<ImportKind, (c: Cells, ctx: RowContext) => Promise<RowOutput | undefined>> = {
  customers: customerRow,
  orders: orderRow,
  warranties: warrantyRow,
  products: productRow,
};

/** Natural-key column per kind: a repeat inside one file is an error naming the first row. */
export const KEY_FIELD: Record<ImportKind, string> = {
  customers: 'externalId',
  orders: 'orderNo',
  warranties: 'serial',
  products: 'sku',
};

/** Validates one record; returns its output or the errors naming its fields. */
export async function mapRow(
  kind: ImportKind,
  row: number,
  cells: Record<string, string>,
  ctx: RowContext,
): Promise<{ out?: RowOutput; errors: RowError[] }> {
  const c = new Cells(row, cells);
  const out = await MAPPERS[kind](c, ctx);
  return out ? { out, errors: [] } : { errors: c.errors };
}
