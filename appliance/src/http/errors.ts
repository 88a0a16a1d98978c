import { DomainError } from '../contracts/index.ts';

export type HttpErrorCode =
  | 'HTTP_UNAUTHENTICATED'
  | 'HTTP_FORBIDDEN'
  | 'HTTP_CSRF'
  | 'HTTP_BAD_JSON'
  | 'HTTP_VALIDATION'
  /** Invalid UTF-8, a lone surrogate or NUL in a text field (`details.field` names it). */
  | 'HTTP_INVALID_TEXT'
  | 'HTTP_BODY_TOO_LARGE'
  | 'HTTP_NOT_FOUND'
  | 'HTTP_PASSWORD_CHANGE_REQUIRED'
  | 'HTTP_MFA_SETUP_REQUIRED'
  | 'HTTP_UNSUPPORTED_MEDIA_TYPE'
  | 'HTTP_INTERNAL';

export class HttpError extends DomainError<HttpErrorCode> {
  override name = 'HttpError';
}
