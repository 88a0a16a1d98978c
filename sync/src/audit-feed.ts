import type { OutboundProjector } from './outbound.ts';
import type { PouchDoc } from './pouch.ts';

/** The slice of the appliance DocStore the audit feed reads. */
export interface AuditDocSource {
  get<T extends object>(id: string): Promise<(T & { _id: string; _rev: string }) | undefined>;
  changes(options?: { since?: number | string; limit?: number }): Promise<{
    results: Array<{ id: string; seq: number | string; deleted: boolean }>;
    lastSeq: number | string;
  }>;
}

/**
 * Copies new audit store documents (records, signed checkpoints, the signed
 * head) into the outbound audit database through the projector. Returns the
 * cursor to resume from.
 */
export async function pumpAudit(
  source: AuditDocSource,
  projector: OutboundProjector,
  since: number | string = 0,
  options: { limit?: number } = {},
): Promise<{ cursor: number | string; written: number }> {
  let cursor = since;
  let written = 0;
  for (;;) {
    const page = await source.changes({ since: cursor, limit: options.limit ?? 500 });
    if (page.results.length === 0) return { cursor, written };
    const docs: PouchDoc[] = [];
    for (const c of page.results) {
      if (c.deleted) continue;
      const d = await source.get<Record<string, unknown>>(c.id);
      if (d) docs.push(d as PouchDoc);
    }
    written += await projector.projectAudit(docs);
    cursor = page.lastSeq;
  }
}
