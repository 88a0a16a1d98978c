import { createHash, randomUUID } from 'node:crypto';
import type { Core } from '../core.ts';
import { IdentityError } from '../errors.ts';
import { isBuiltinRole } from '../permissions.ts';
import type { UserDoc } from '../types.ts';

const LINK = 'sso-subject:';

/** The stored key of an IdP subject: `sub` is unique only per issuer. */
export function subjectKey(issuer: string, sub: string): string {
  return createHash('sha256').update(`${issuer} ${sub}`).digest('base64url');
}

export interface SsoIdentity {
  subject: string;
  username: string;
  displayName: string;
  roles: string[];
}

/** The roles among `roles` that exist here (built-in or custom); the map may name others. */
export async function knownRoles(core: Core, roles: readonly string[]): Promise<string[]> {
  const custom = await core.customRoles();
  return roles.filter((r) => isBuiltinRole(r) || custom.has(r));
}

/**
 * The user for an IdP subject: created on first sign-in (source `oidc`, no
 * password, nothing to change), its roles and name refreshed from the IdP on
 * every later one, since the IdP's groups are authoritative.
 */
export async function provisionSsoUser(core: Core, who: SsoIdentity, ip: string): Promise<UserDoc> {
  const linkId = LINK + who.subject;
  const link = await core.store.docs.get<{ userId: string }>(linkId);
  const linked = link ? await core.store.getUser(link.userId) : undefined;
  if (linked) return refresh(core, linked, who, ip);
  const at = new Date(core.now()).toISOString();
  const user: UserDoc = {
    type: 'user',
    id: randomUUID(),
    username: who.username,
    displayName: who.displayName,
    roles: who.roles,
    status: 'active',
    source: 'oidc',
    subject: who.subject,
    passwordHash: '',
    mustChangePassword: false,
    mfa: { enrolled: false },
    failedLogins: 0,
    createdAt: at,
    updatedAt: at,
  };
  if (!(await core.store.createUser(user))) {
    // A crash between the user and its link leaves the user: adopt it; anyone else's name is refused.
    const same = await core.store.findByUsername(who.username);
    if (!same || same.subject !== who.subject) {
      throw new IdentityError('IDENTITY_SSO_USERNAME_TAKEN', 'A local account already has this username', {
        status: 409,
        details: { username: who.username },
      });
    }
    await putLink(core, linkId, same.id);
    return refresh(core, same, who, ip);
  }
  await putLink(core, linkId, user.id);
  await core.bus.publish(
    'user.created',
    { userId: user.id, username: user.username, roles: user.roles },
    { actor: 'system', source: ip },
  );
  return user;
}

async function putLink(core: Core, id: string, userId: string): Promise<void> {
  const old = await core.store.docs.get<{ userId: string }>(id);
  await core.store.docs.put({ _id: id, userId, ...(old ? { _rev: old._rev } : {}) });
}

async function refresh(core: Core, user: UserDoc, who: SsoIdentity, ip: string): Promise<UserDoc> {
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && [...a].sort().every((r, i) => r === [...b].sort()[i]);
  const fields = [
    ...(same(user.roles, who.roles) ? [] : ['roles']),
    ...(user.displayName === who.displayName ? [] : ['displayName']),
  ];
  if (fields.length === 0) return user;
  const next = await core.store.updateUser(user.id, (u) => {
    u.roles = who.roles;
    u.displayName = who.displayName;
    u.updatedAt = new Date(core.now()).toISOString();
    return u;
  });
  await core.bus.publish('user.updated', { userId: user.id, fields }, { actor: 'system', source: ip });
  return next;
}
