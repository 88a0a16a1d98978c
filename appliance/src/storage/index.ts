/**
 * Storage: the DocStore port and its adapters.
 * @example
 * const store = new MemoryDocStore('identity');
 * await store.create({ _id: 'user:ann', name: 'Ann' });
 */
export { MemoryDocStore } from './memory-store.ts';
export { StorageError } from './errors.ts';
export type { StorageErrorCode } from './errors.ts';
export type { ChangesResult, DocMeta, DocStore, ListOptions, NewDoc, StoredDoc, WriteResult } from './types.ts';
