import { DomainError, type DomainErrorOptions } from '../contracts/index.ts';

export type SystemErrorCode =
  | 'SYSTEM_BACKUP_CORRUPT'
  | 'SYSTEM_BACKUP_WRONG_KEY'
  | 'SYSTEM_BACKUP_TARGET_NOT_EMPTY'
  | 'SYSTEM_RECOVERY_KEY_INVALID'
  | 'SYSTEM_RECOVERY_KEY_MISSING'
  | 'SYSTEM_TLS_FAILED';

/** Conditions of the system context (backups, recovery key, TLS material) a caller handles. */
export class SystemError extends DomainError<SystemErrorCode> {
  override name = 'SystemError';
  constructor(code: SystemErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(code, message, options);
  }
}
