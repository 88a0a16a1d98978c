import { DomainError } from '../contracts/index.ts';

export type HttpErrorCode =
  | 'HTTP_UNAUTHENTICATED'
  | 'HTTP_FORBIDDEN'
  | 'HTTP_CSRF'
  | 'HTTP_BAD_JSON'
  | 'HTTP_VALIDATION'
  | 'HTTP_BODY_TOO_LARGE'
  | 'HTTP_NOT_FOUND'
  | 'HTTP_PASSWORD_CHANGE_REQUIRED'
  | 'HTTP_MFA_SETUP_REQUIRED'
  | 'HTTP_UNSUPPORTED_MEDIA_TYPE'
  | 'HTTP_INTERNAL';

export class HttpError extends DomainError<HttpErrorCode> {
  override name = 'HttpError';
}
