import { DomainError, type DomainErrorOptions } from '../contracts/index.ts';

export type SiemErrorCode =
  | 'SIEM_UNREACHABLE'
  | 'SIEM_CERTIFICATE_REJECTED'
  | 'SIEM_CA_UNREADABLE'
  | 'SIEM_CONNECTION_LOST';

/** Why a send to the syslog collector did not happen (shown in health, never to the console user). */
export class SiemError extends DomainError<SiemErrorCode> {
  override name = 'SiemError';
  constructor(code: SiemErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(code, message, { status: 503, ...options });
  }
}
