import type { Permission } from '../contracts/index.ts';
import type { EventBus } from '../events/index.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { permissionsFor, requiresMfa } from './permissions.ts';
import type { Sessions } from './sessions.ts';
import type { IdentityStore } from './store.ts';
import type { Throttle } from './throttle.ts';
import type { PublicUser, UserDoc } from './types.ts';

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
