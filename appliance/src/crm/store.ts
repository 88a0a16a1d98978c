import { isDeepStrictEqual } from 'node:util';
import type { DocStore, NewDoc } from '../storage/index.ts';
import { CrmError } from './errors.ts';

export interface UpsertResult {
  written: number;
  unchanged: number;
  /** Ids actually written (new or changed). */
  changed: Set<string>;
}

const BATCH = 1000;

function comparable(doc: Record<string, unknown>, ignore: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (k !== '_rev' && !ignore.includes(k)) out[k] = v;
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

/**
 * Writes documents in batches of 1000 through `bulkPut`. A document equal to
 * the stored one (ignoring `ignore` fields such as timestamps) is skipped, so
 * re-importing a file changes nothing.
 */
export async function upsertMany(
  store: DocStore,
  docs: Array<Record<string, unknown> & { _id: string }>,
  options: { ignore?: readonly string[] } = {},
): Promise<UpsertResult> {
  const ignore = options.ignore ?? [];
  let written = 0;
  let unchanged = 0;
  const changed = new Set<string>();
  for (let i = 0; i < docs.length; i += BATCH) {
    const batch = docs.slice(i, i + BATCH);
    const existing = await Promise.all(batch.map((d) => store.get<Record<string, unknown>>(d._id)));
    const toWrite: NewDoc<Record<string, unknown>>[] = [];
    batch.forEach((doc, j) => {
      const prior = existing[j];
      if (prior && isDeepStrictEqual(comparable(prior, ignore), comparable(doc, ignore))) {
        unchanged++;
        return;
      }
      toWrite.push(prior ? { ...doc, _rev: prior._rev } : doc);
    });
    if (toWrite.length === 0) continue;
    const results = await store.bulkPut(toWrite);
    const failed = results.filter((r): r is { id: string; error: string } => 'error' in r);
    if (failed.length > 0) {
      throw new CrmError('CRM_IMPORT_INVALID', `Bulk write failed [first:${failed[0]?.id}]`, {
        status: 500,
        details: { failed: failed.length },
      });
    }
    written += toWrite.length;
    for (const d of toWrite) changed.add(d._id);
  }
  return { written, unchanged, changed };
}
