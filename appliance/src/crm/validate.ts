import type { FieldDef, FieldValue, OrderItem } from './types.ts';

/** Parses one cell; returns the value or a reason string wrapped as `{ error }`. */
export type Check<T> = (raw: string) => T | { error: string };

export const isErr = (v: unknown): v is { error: string } =>
  typeof v === 'object' && v !== null && 'error' in v && Object.keys(v).length === 1;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export const checks = {
  text:
    (max: number): Check<string> =>
    (raw) =>
      raw.length > max ? { error: `longer than ${max} characters` } : raw,
  key: ((raw) =>
    /^[\w.\-/#@]{1,64}$/.test(raw)
      ? raw
      : { error: 'must be 1–64 letters, digits or ._-/#@' }) as Check<string>,
  number: ((raw) => {
    const n = Number(raw.replace(/,/g, ''));
    return raw.trim() !== '' && Number.isFinite(n) ? n : { error: 'not a number' };
  }) as Check<number>,
  money: ((raw) => {
    const n = Number(raw.replace(/,/g, ''));
    if (raw.trim() === '' || !Number.isFinite(n)) return { error: 'not a number' };
    return n < 0 ? { error: 'negative amount' } : Math.round(n * 100) / 100;
  }) as Check<number>,
  date: ((raw) => {
    if (!ISO_DATE.test(raw) || Number.isNaN(Date.parse(raw)))
      return { error: 'not an ISO date (YYYY-MM-DD)' };
    return raw.length === 10 ? raw : new Date(raw).toISOString();
  }) as Check<string>,
  bool: ((raw) => {
    const v = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'y', '是'].includes(v)) return true;
    if (['false', '0', 'no', 'n', '否'].includes(v)) return false;
    return { error: 'not a boolean (true/false)' };
  }) as Check<boolean>,
  oneOf:
    <T extends string>(values: readonly T[]): Check<T> =>
    (raw) =>
      (values as readonly string[]).includes(raw) ? (raw as T) : { error: `not one of ${values.join('|')}` },
  /** `SKU-1x2;SKU-2` → [{sku:'SKU-1',qty:2},{sku:'SKU-2',qty:1}]. */
  items: ((raw) => {
    const out: OrderItem[] = [];
    for (const part of raw
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const m = /^([\w.\-/#]{1,64})(?:\s*[x×*]\s*(\d{1,6}))?$/.exec(part);
      if (!m) return { error: `bad item "${part.slice(0, 40)}" (want SKU or SKUxQTY)` };
      out.push({ sku: m[1]!, qty: m[2] ? Number(m[2]) : 1 });
    }
    return out.length > 0 ? out : { error: 'no items' };
  }) as Check<OrderItem[]>,
};

/** The check for an admin-defined custom field. */
export function checkFor(def: FieldDef): Check<FieldValue> {
  switch (def.type) {
    case 'string':
      return checks.text(1000);
    case 'number':
      return checks.number;
    case 'date':
      return checks.date;
    case 'bool':
      return checks.bool;
    case 'enum':
      return checks.oneOf(def.values ?? []);
  }
}

const FIELD_NAME = /^[a-z][a-zA-Z0-9_]{0,39}$/;

/** Rejects a malformed field definition with a reason, or returns undefined. */
export function fieldDefProblem(def: FieldDef): string | undefined {
  if (!FIELD_NAME.test(def.name)) return 'name must be camelCase letters/digits/_ (max 40)';
  if (def.type === 'enum' && (!def.values || def.values.length === 0)) return 'enum needs values';
  return undefined;
}
