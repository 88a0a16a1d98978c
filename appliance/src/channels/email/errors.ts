import { DomainError } from '../../contracts/index.ts';

export type EmailErrorCode = 'EMAIL_RELAY_NOT_CONFIGURED' | 'EMAIL_RELAY_FAILED' | 'EMAIL_NO_RECIPIENT';

/** Outbound mail failures; inbound problems are SMTP reply codes, not exceptions. */
export class EmailError extends DomainError<EmailErrorCode> {
  override name = 'EmailError';
}
