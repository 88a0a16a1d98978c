import { DomainError } from '../contracts/index.ts';

export type CrmErrorCode =
  | 'CRM_NOT_FOUND'
  | 'CRM_INVALID_FIELD'
  | 'CRM_IMPORT_INVALID'
  | 'CRM_IMPORT_TOO_LARGE'
  | 'CRM_IMPORT_FORMAT'
  | 'CRM_CONNECTOR_NOT_FOUND'
  | 'CRM_CONNECTOR_UNAVAILABLE'
  | 'CRM_WEBHOOK_SIGNATURE'
  | 'CRM_WEBHOOK_STALE'
  | 'CRM_WEBHOOK_REPLAY';

export class CrmError extends DomainError<CrmErrorCode> {
  override name = 'CrmError';
}
