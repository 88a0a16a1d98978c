import { DomainError } from '../contracts/index.ts';

export type AuditErrorCode =
  | 'AUDIT_FORBIDDEN'
  | 'AUDIT_INVALID_SETTINGS'
  | 'AUDIT_EXPORT_TOO_LARGE'
  | 'AUDIT_WRITE_FAILED';

export class AuditError extends DomainError<AuditErrorCode> {
  override name = 'AuditError';
}
