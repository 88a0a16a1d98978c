import { DomainError } from '../contracts/index.ts';

export type IdentityErrorCode =
  | 'IDENTITY_BAD_CREDENTIALS'
  | 'IDENTITY_MFA_REQUIRED'
  | 'IDENTITY_THROTTLED'
  | 'IDENTITY_WEAK_PASSWORD'
  | 'IDENTITY_USERNAME_TAKEN'
  | 'IDENTITY_INVALID_USERNAME'
  | 'IDENTITY_USER_NOT_FOUND'
  | 'IDENTITY_ROLE_NOT_FOUND'
  | 'IDENTITY_ROLE_EXISTS'
  | 'IDENTITY_ROLE_IN_USE'
  | 'IDENTITY_INVALID_ROLE'
  | 'IDENTITY_MFA_ALREADY_ENROLLED'
  | 'IDENTITY_MFA_NOT_STARTED'
  | 'IDENTITY_BAD_MFA_CODE'
  | 'IDENTITY_FORBIDDEN'
  | 'IDENTITY_SSO_NOT_CONFIGURED'
  | 'IDENTITY_SSO_UNAVAILABLE'
  | 'IDENTITY_SSO_FAILED'
  | 'IDENTITY_SSO_NO_ROLE'
  | 'IDENTITY_SSO_USERNAME_TAKEN'
  | 'IDENTITY_SSO_FROZEN'
  | 'IDENTITY_DIRECTORY_UNAVAILABLE'
  | 'IDENTITY_DIRECTORY_NO_ROLE'
  | 'IDENTITY_DIRECTORY_INVALID_GROUP';

/** A condition of the identity context a caller handles (maps to HTTP via `status`). */
export class IdentityError extends DomainError<IdentityErrorCode> {
  override name = 'IdentityError';
}

/**
 * The single answer to every failed sign-in (unknown user, wrong password,
 * frozen, locked, wrong TOTP) so the response cannot tell an attacker which.
 */
export function badCredentials(): IdentityError {
  return new IdentityError('IDENTITY_BAD_CREDENTIALS', 'Invalid username or password', { status: 401 });
}

export function userNotFound(userId: string): IdentityError {
  return new IdentityError('IDENTITY_USER_NOT_FOUND', `No such user [userId:${userId}]`, { status: 404 });
}
