import { DomainError } from '../../contracts/index.ts';

export type EmailErrorCode =
  | 'EMAIL_RELAY_NOT_CONFIGURED'
  | 'EMAIL_RELAY_FAILED'
  | 'EMAIL_NO_RECIPIENT'
  | 'EMAIL_INVALID_SETTINGS'
  | 'EMAIL_TEST_CONNECTION_REFUSED'
  | 'EMAIL_TEST_UNREACHABLE'
  | 'EMAIL_TEST_TLS_FAILED'
  | 'EMAIL_TEST_AUTH_FAILED'
  | 'EMAIL_TEST_RECIPIENT_REJECTED';

/** Outbound mail failures and refused settings; inbound problems are SMTP reply codes, not exceptions. */
export class EmailError extends DomainError<EmailErrorCode> {
  override name = 'EmailError';
}
