import type { PouchDb } from '../../../sync/src/index.ts';

/** Replaces a singleton doc whatever its revision: only this bridge writes it. */
export async function putLatest(db: PouchDb, id: string, body: Record<string, unknown>): Promise<void> {
  const cur = await db.get(id).catch(() => undefined);
  await db.put({ _id: id, ...(cur?._rev ? { _rev: cur._rev } : {}), ...body });
}
