import type { Readable } from 'node:stream';
import type { Actor, CustomerService } from '../customers/index.ts';
import type { EventBus } from '../events/index.ts';
import type { DocStore } from '../storage/index.ts';
import { customerIdFor, ids } from './ids.ts';
import { type ImportFormat, readRows } from './parse.ts';
import { KEY_FIELD, mapRow, type RowOutput } from './rows.ts';
import { upsertMany } from './store.ts';
import type { FieldDef, ImportKind, ImportReport, RowError } from './types.ts';

export interface ImportOptions {
  kind: ImportKind;
  format: ImportFormat;
  /** Default false: any bad row means nothing is written. True writes the valid rows. */
  partial?: boolean;
}

export interface ImporterDeps {
  store: DocStore;
  customers: CustomerService;
  bus: EventBus;
  defs(): Promise<FieldDef[]>;
  maxBytes: number;
  /** Errors listed in the report; the count past this sets `truncated`. */
  maxReportedErrors?: number;
  now?: () => Date;
}

/**
 * File import in two passes: every record is validated while streaming (rows
 * kept in memory are bounded by `maxBytes`), then — only if the whole file is
 * valid, unless `partial` — written in batches of 1000. Natural keys make doc
 * ids deterministic, so importing the same file twice leaves the store as it was.
 */
export async function importFile(
  deps: ImporterDeps,
  source: Readable | Uint8Array,
  options: ImportOptions & { actor: Actor },
): Promise<ImportReport> {
  const max = deps.maxReportedErrors ?? 1000;
  const defs = options.kind === 'customers' ? await deps.defs() : [];
  const known = new Map<string, string | undefined>();
  const ctx = {
    defs,
    customerIdFor,
    parsePhone: (raw: string) => deps.customers.parsePhone(raw),
    now: (deps.now?.() ?? new Date()).toISOString(),
    async resolve(externalId: string) {
      if (!known.has(externalId)) {
        const doc = await deps.store.get<{ ref: string }>(ids.external(externalId));
        known.set(externalId, doc?.ref);
      }
      return known.get(externalId);
    },
  };
  const outputs: RowOutput[] = [];
  const firstSeen = new Map<string, number>();
  const errors: RowError[] = [];
  let errorCount = 0;
  let rows = 0;
  const fail = (e: RowError) => {
    errorCount++;
    if (errors.length < max) errors.push(e);
  };
  for await (const { row, cells } of readRows(source, { format: options.format, maxBytes: deps.maxBytes })) {
    rows++;
    const { out, errors: rowErrors } = await mapRow(options.kind, row, cells, ctx);
    rowErrors.forEach(fail);
    if (!out) continue;
    const prior = firstSeen.get(out.key);
    if (prior !== undefined) {
      fail({ row, field: KEY_FIELD[options.kind], reason: `duplicate of row ${prior}` });
      continue;
    }
    firstSeen.set(out.key, row);
    outputs.push(out);
  }
  const report: ImportReport = {
    kind: options.kind,
    rows,
    imported: 0,
    unchanged: 0,
    committed: false,
    errors,
    truncated: errorCount > errors.length,
  };
  const meta = {
    actor: options.actor.userId,
    ...(options.actor.source ? { source: options.actor.source } : {}),
  };
  if (errorCount > 0 && !options.partial) {
    await deps.bus.publish('crm.import_rejected', { kind: options.kind, rows, errors: errorCount }, meta);
    return report;
  }
  // Core customers first, so every CRM document points at an existing customer.
  for (const o of outputs) if (o.customer) await deps.customers.create(o.customer, options.actor);
  const { changed } = await upsertMany(
    deps.store,
    outputs.flatMap((o) => o.docs),
    { ignore: ['updatedAt'] },
  );
  report.imported = outputs.filter((o) => o.docs.some((d) => changed.has(d._id))).length;
  report.unchanged = outputs.length - report.imported;
  report.committed = true;
  await deps.bus.publish(
    'crm.imported',
    { kind: options.kind, rows, imported: report.imported, unchanged: report.unchanged },
    meta,
  );
  return report;
}
