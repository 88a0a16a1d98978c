import type { Permission } from '../contracts/index.ts';
import type { EventBus } from '../events/index.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { permissionsFor, requiresMfa } from './permissions.ts';
import type { Sessions } from './sessions.ts';
import type { IdentityStore } from './store.ts';
import type { Throttle } from './throttle.ts';
import type { PublicUser, UserDoc } from './types.ts';

/** What a directory's sign-in answers (identity/directory); the user is provisioned or refreshed already. */
export type DirectoryVerdict =
  | { kind: 'ok'; user: UserDoc }
  | { kind: 'bad_credentials'; user?: UserDoc }
  | { kind: 'no_role' };

/** Directory sign-in as login.ts uses it (set by IdentityService.attachDirectory). */
export interface DirectorySignIn {
  /** False when no directory is configured (its mappings can still be prepared). */
  readonly enabled: boolean;
  /** Proves the password against the directory; throws IDENTITY_DIRECTORY_UNAVAILABLE when it cannot be reached. */
  signIn(username: string, password: string, ip: string): Promise<DirectoryVerdict>;
  /** True while the directory could not be reached at the last attempt (a local sign-in is then break-glass). */
  unreachable(): boolean;
}

/** What the identity operations share; built once by IdentityService. */
export interface Core {
  store: IdentityStore;
  sessions: Sessions;
  bus: EventBus;
  hasher: PasswordHasher;
  throttle: Throttle;
  now: () => number;
  maxFailures: number;
  lockoutMs: number;
  /** Custom role id → permissions, cached until a role changes. */
  customRoles: () => Promise<ReadonlyMap<string, readonly Permission[]>>;
  invalidateRoles: () => void;
  /** Directory sign-in, when configured: names that are not local users go there. */
  directory?: DirectorySignIn;
}

export function toPublic(u: UserDoc): PublicUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    roles: [...u.roles],
    status: u.status,
    mustChangePassword: u.mustChangePassword,
    mfaEnrolled: u.mfa.enrolled,
    lockedUntil: u.lockedUntil ?? null,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

export function mfaSetupRequired(u: UserDoc): boolean {
  return requiresMfa(u.roles) && !u.mfa.enrolled;
}

export async function userPermissions(core: Core, roles: readonly string[]): Promise<Set<Permission>> {
  return permissionsFor(roles, await core.customRoles());
}
