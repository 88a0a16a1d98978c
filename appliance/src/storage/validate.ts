import { StorageError } from './errors.ts';

const META = new Set(['_id', '_rev']);

/**
 * Rejects what CouchDB-style stores reserve: empty ids, ids starting with `_`
 * (design/local docs) and top-level body fields starting with `_`. Checked up
 * front so one bad doc cannot fail a whole group-committed batch.
 */
export function validateDoc(doc: { _id?: unknown } & object): void {
  const id = doc._id;
  if (typeof id !== 'string' || id === '' || id.startsWith('_')) {
    throw new StorageError('STORAGE_INVALID_DOC', `Invalid document id [id:${String(id)}]`);
  }
  for (const key of Object.keys(doc)) {
    if (key.startsWith('_') && !META.has(key)) {
      throw new StorageError('STORAGE_INVALID_DOC', `Reserved field name [id:${id}, field:${key}]`);
    }
  }
}
