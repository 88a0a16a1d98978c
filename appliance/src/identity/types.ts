import type { Permission } from '../contracts/index.ts';

export type UserStatus = 'active' | 'frozen';

/** A user as stored (`user:<id>`). Never leaves the identity context as is. */
export interface UserDoc {
  type: 'user';
  id: string;
  /** As first entered; uniqueness is case-insensitive via the `username:<lower>` index doc. */
  username: string;
  displayName: string;
  roles: string[];
  status: UserStatus;
  frozenReason?: string;
  /** Where the account lives: absent or `local` = here; `directory` = LDAP/AD (signs in there, no password here). */
  source?: 'local' | 'directory' | 'oidc';
  /** An `oidc` user's IdP subject (SHA-256 of issuer + sub); signs in at the IdP, no password here. */
  subject?: string;
  /** The directory entry of a `directory` user. */
  dn?: string;
  /** argon2id encoded hash (`$argon2id$v=19$m=65536,t=2,p=1$…`); '' for a directory user (never matches). */
  passwordHash: string;
  mustChangePassword: boolean;
  /** Base32 TOTP secret (pending until `mfa.enrolled`). Top-level so the encrypting store can find it. */
  totpSecret?: string;
  mfa: { enrolled: boolean; lastStep?: number };
  failedLogins: number;
  /** ISO time until which sign-in is refused, or absent. */
  lockedUntil?: string;
  createdAt: string;
  updatedAt: string;
}

/** What callers and the API see of a user: no hash, no secret. */
export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  status: UserStatus;
  mustChangePassword: boolean;
  mfaEnrolled: boolean;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A custom role (`role:<id>`); built-in roles are not stored. */
export interface RoleDoc {
  type: 'role';
  id: string;
  description: string;
  permissions: Permission[];
  createdAt: string;
  updatedAt: string;
}

export interface Role {
  id: string;
  description: string;
  permissions: Permission[];
  builtin: boolean;
}

/**
 * A session (`session:<handle>`). The handle is SHA-256 of the cookie token,
 * so neither the database nor events (and hence the audit trail) ever hold a
 * usable token.
 */
export interface SessionDoc {
  type: 'session';
  handle: string;
  userId: string;
  csrfToken: string;
  ip: string;
  createdAt: string;
  lastSeenAt: string;
  /** A single sign-on session: the IdP's session (`sid`) and subject, for back-channel logout. */
  sso?: SsoSession;
}

export interface SsoSession {
  subject: string;
  sid?: string;
  /** The IdP asserted multi-factor sign-in (`amr`/`acr`): no TOTP step or enrolment here. */
  mfa: boolean;
}

/** Who caused a change and from where; becomes the event's actor and source. */
export interface ChangeContext {
  actor?: string;
  ip?: string;
}

export interface LoginInput {
  username: string;
  password: string;
  totp?: string | undefined;
}

export interface LoginResult {
  /** The cookie value; shown once, only its hash is stored. */
  token: string;
  user: PublicUser;
  csrfToken: string;
  mustChangePassword: boolean;
  mfaSetupRequired: boolean;
}

export interface NewUserInput {
  username: string;
  displayName: string;
  roles: string[];
}

export interface UserPatch {
  displayName?: string;
  roles?: string[];
}

export interface RoleInput {
  id: string;
  description?: string;
  permissions: string[];
}
