import type { BuiltinRole, Permission } from '../contracts/index.ts';
import { BUILTIN_ROLES, PERMISSIONS } from '../contracts/index.ts';

const AGENT: Permission[] = ['customers.read', 'contacts.handle', 'tickets.read', 'tickets.write'];

/**
 * Built-in roles. Admin holds everything but audit.*, auditor only reads the
 * trail: neither alone can both administer and rewrite audit settings.
 */
export const BUILTIN_PERMISSIONS: Readonly<Record<BuiltinRole, readonly Permission[]>> = Object.freeze({
  agent: AGENT,
  supervisor: [
    ...AGENT,
    'contacts.monitor',
    'users.read',
    'knowledge.write',
    'knowledge.review',
    'routing.manage',
  ],
  admin: PERMISSIONS.filter((p) => !p.startsWith('audit.')),
  auditor: ['audit.read', 'audit.export', 'users.read'],
});

/** Roles whose holders must sign in with TOTP. */
export const MFA_ROLES: ReadonlySet<string> = new Set(['admin', 'supervisor', 'auditor']);

export function isBuiltinRole(role: string): role is BuiltinRole {
  return (BUILTIN_ROLES as readonly string[]).includes(role);
}

export function isPermission(p: string): p is Permission {
  return (PERMISSIONS as readonly string[]).includes(p);
}

export function requiresMfa(roles: readonly string[]): boolean {
  return roles.some((r) => MFA_ROLES.has(r));
}

/**
 * Union of the permissions of `roles`. `audit.settings` is never granted by a
 * role: only a user holding both `auditor` and `admin` (an auditor-admin) gets it.
 */
export function permissionsFor(
  roles: readonly string[],
  customRoles: ReadonlyMap<string, readonly Permission[]>,
): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) {
    const perms = isBuiltinRole(r) ? BUILTIN_PERMISSIONS[r] : (customRoles.get(r) ?? []);
    for (const p of perms) if (p !== 'audit.settings') out.add(p);
  }
  if (roles.includes('auditor') && roles.includes('admin')) out.add('audit.settings');
  return out;
}
