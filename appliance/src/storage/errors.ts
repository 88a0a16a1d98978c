import { DomainError } from '../contracts/index.ts';

export type StorageErrorCode =
  | 'STORAGE_CONFLICT'
  | 'STORAGE_INVALID_DOC'
  | 'STORAGE_DECRYPT_FAILED'
  | 'STORAGE_KEY_SHREDDED'
  | 'STORAGE_SUITE_MISMATCH'
  | 'STORAGE_IO';

export class StorageError extends DomainError<StorageErrorCode> {
  override name = 'StorageError';
}

export function conflict(id: string): StorageError {
  return new StorageError('STORAGE_CONFLICT', `Document update conflict [id:${id}]`, { status: 409 });
}
