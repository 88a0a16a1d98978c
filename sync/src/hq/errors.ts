export type HqErrorCode =
  | 'HQ_UNAUTHENTICATED'
  | 'HQ_LOCKED'
  | 'HQ_THROTTLED'
  | 'HQ_CSRF'
  | 'HQ_PASSWORD_CHANGE_REQUIRED'
  | 'HQ_WEAK_PASSWORD'
  | 'HQ_OPERATOR_EXISTS'
  | 'HQ_BAD_REQUEST'
  | 'HQ_UNSUPPORTED_MEDIA_TYPE'
  | 'HQ_NOT_FOUND'
  | 'HQ_MFA_REQUIRED'
  | 'HQ_MFA_INVALID'
  | 'HQ_MFA_NOT_STARTED'
  | 'HQ_MFA_ALREADY_ENROLLED'
  | 'HQ_MFA_ENROLMENT_REQUIRED'
  | 'HQ_FORBIDDEN'
  | 'HQ_FIELD_NOT_SEALED'
  | 'HQ_FIELD_UNOPENABLE';

/** A condition the HQ console reports as `{ error: { code, message } }` with `status`. */
export class HqError extends Error {
  override name = 'HqError';
  readonly code: HqErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  constructor(
    code: HqErrorCode,
    message: string,
    options: { status?: number; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.code = code;
    this.status = options.status ?? 400;
    this.details = options.details;
  }
}
