import type { Permission } from './contracts/index.ts';
import type { Principal } from './http/index.ts';

/** A signed-in principal for in-process route tests: id doubles as user name and session, no roles. */
export function testPrincipal(id: string, permissions: readonly Permission[]): Principal {
  return {
    userId: id,
    username: id,
    roles: [],
    permissions: new Set<Permission>(permissions),
    sessionId: id,
    csrfToken: `csrf-${id}`,
    mustChangePassword: false,
    mfaSetupRequired: false,
  };
}
