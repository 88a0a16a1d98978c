/** Every permission a role can hold. Custom roles pick from this list. */
export const PERMISSIONS = [
  'users.read',
  'users.manage',
  'users.freeze',
  'roles.manage',
  'customers.read',
  'customers.read_sensitive',
  'customers.write',
  'contacts.handle',
  'contacts.monitor',
  'tickets.read',
  'tickets.write',
  'audit.read',
  'audit.export',
  'audit.settings',
  'keys.manage',
  'system.manage',
  'knowledge.write',
  'knowledge.review',
  'routing.manage',
  /** Place and release legal holds on recordings, contacts and customers (admin; a compliance role). */
  'recordings.hold',
  /** Export a recording with a signed manifest (evidence for a case). */
  'recordings.export',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const BUILTIN_ROLES = ['agent', 'supervisor', 'admin', 'auditor'] as const;
export type BuiltinRole = (typeof BUILTIN_ROLES)[number];
