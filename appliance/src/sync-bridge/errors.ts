import { DomainError } from '../contracts/index.ts';

export type SyncBridgeErrorCode =
  | 'SYNC_DISABLED'
  | 'SYNC_QUARANTINE_NOT_FOUND'
  | 'SYNC_QUARANTINE_GONE'
  | 'SYNC_QUARANTINE_POLICY_CHANGED'
  | 'SYNC_QUARANTINE_STILL_REFUSED'
  | 'SYNC_HQ_UNREACHABLE'
  | 'SYNC_ENROLMENT_UNREADABLE'
  | 'SYNC_BUNDLE_INVALID'
  | 'SYNC_JOIN_CHECK_FAILED'
  | 'SYNC_JOIN_ENV_CONFIGURED';

export class SyncBridgeError extends DomainError<SyncBridgeErrorCode> {
  override name = 'SyncBridgeError';
}
