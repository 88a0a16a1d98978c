import { randomUUID } from 'node:crypto';
import { oneTimePassword } from './account.ts';
import type { Core } from './core.ts';
import { toPublic } from './core.ts';
import { IdentityError, userNotFound } from './errors.ts';
import { isBuiltinRole } from './permissions.ts';
import { publishOpts } from './sessions.ts';
import type { ChangeContext, NewUserInput, PublicUser, UserDoc, UserPatch } from './types.ts';

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;

function forbidden(message: string): IdentityError {
  return new IdentityError('IDENTITY_FORBIDDEN', message, { status: 403 });
}

async function validateRoles(core: Core, roles: readonly string[]): Promise<string[]> {
  if (roles.length === 0) throw new IdentityError('IDENTITY_INVALID_ROLE', 'A user needs at least one role');
  const custom = await core.customRoles();
  const unknown = roles.filter((r) => !isBuiltinRole(r) && !custom.has(r));
  if (unknown.length > 0) {
    throw new IdentityError('IDENTITY_ROLE_NOT_FOUND', `Unknown roles: ${unknown.join(', ')}`, {
      status: 400,
      details: { unknown },
    });
  }
  return [...new Set(roles)];
}

const isAuditorAdmin = (roles: readonly string[]) => roles.includes('auditor') && roles.includes('admin');

/**
 * Making someone an auditor-admin (who may change audit settings) takes an
 * auditor-admin, except while none exists (bootstrap) or from the CLI (no actor user).
 */
async function assertMayGrant(core: Core, roles: readonly string[], ctx: ChangeContext): Promise<void> {
  if (!isAuditorAdmin(roles)) return;
  const actor = ctx.actor === undefined ? undefined : await core.store.getUser(ctx.actor);
  if (!actor || isAuditorAdmin(actor.roles)) return;
  const existing = (await core.store.listUsers()).some(
    (u) => u.status === 'active' && isAuditorAdmin(u.roles),
  );
  if (existing) throw forbidden('Only an auditor-admin can grant both auditor and admin');
}

export async function createUser(
  core: Core,
  input: NewUserInput & { password?: string },
  ctx: ChangeContext,
): Promise<{ user: PublicUser; oneTimePassword: string }> {
  if (!USERNAME.test(input.username)) {
    throw new IdentityError('IDENTITY_INVALID_USERNAME', 'Username must be 2-64 of A-Z a-z 0-9 . _ @ -');
  }
  const roles = await validateRoles(core, input.roles);
  await assertMayGrant(core, roles, ctx);
  const password = input.password ?? oneTimePassword();
  const at = new Date(core.now()).toISOString();
  const user: UserDoc = {
    type: 'user',
    id: randomUUID(),
    username: input.username,
    displayName: input.displayName,
    roles,
    status: 'active',
    passwordHash: await core.hasher.hash(password),
    mustChangePassword: true,
    mfa: { enrolled: false },
    failedLogins: 0,
    createdAt: at,
    updatedAt: at,
  };
  if (!(await core.store.createUser(user))) {
    throw new IdentityError('IDENTITY_USERNAME_TAKEN', 'Username is taken', { status: 409 });
  }
  await core.bus.publish(
    'user.created',
    { userId: user.id, username: user.username, roles },
    publishOpts(ctx),
  );
  return { user: toPublic(user), oneTimePassword: password };
}

export async function getUser(core: Core, userId: string): Promise<PublicUser> {
  const u = await core.store.getUser(userId);
  if (!u) throw userNotFound(userId);
  return toPublic(u);
}

export async function listUsers(core: Core): Promise<PublicUser[]> {
  return (await core.store.listUsers()).map(toPublic);
}

/** One page of users in username order; `last` resumes the listing. */
export async function pageUsers(
  core: Core,
  page: { limit: number; after?: string },
): Promise<{ users: PublicUser[]; last?: string }> {
  const res = await core.store.pageUsers(page);
  return { users: res.items.map(toPublic), ...(res.last === undefined ? {} : { last: res.last }) };
}

export async function updateUser(core: Core, userId: string, patch: UserPatch, ctx: ChangeContext) {
  const fields = Object.keys(patch).filter((k) => patch[k as keyof UserPatch] !== undefined);
  let roles: string[] | undefined;
  if (patch.roles) {
    if (ctx.actor === userId) throw forbidden('You cannot change your own roles');
    roles = await validateRoles(core, patch.roles);
    await assertMayGrant(core, roles, ctx);
  }
  const next = await core.store.updateUser(userId, (u) => {
    if (patch.displayName !== undefined) u.displayName = patch.displayName;
    if (roles) u.roles = roles;
    u.updatedAt = new Date(core.now()).toISOString();
    return u;
  });
  await core.bus.publish('user.updated', { userId, fields }, publishOpts(ctx));
  return toPublic(next);
}

/** Replaces the password with a one-time one, unlocks, and ends every session of the user. */
export async function resetPassword(core: Core, userId: string, ctx: ChangeContext): Promise<string> {
  const password = oneTimePassword();
  const hash = await core.hasher.hash(password);
  await core.store.updateUser(userId, (u) => {
    u.passwordHash = hash;
    u.mustChangePassword = true;
    u.failedLogins = 0;
    delete u.lockedUntil;
    u.updatedAt = new Date(core.now()).toISOString();
    return u;
  });
  await core.bus.publish('user.password_changed', { userId }, publishOpts(ctx));
  await core.sessions.endAllFor(userId, 'replaced', ctx);
  return password;
}

/** Status frozen first (so no request resolves), then every session ends and sockets are told. */
export async function freeze(
  core: Core,
  userId: string,
  ctx: ChangeContext & { reason?: string },
): Promise<PublicUser> {
  if (ctx.actor === userId) throw forbidden('You cannot freeze yourself');
  let changed = false;
  const next = await core.store.updateUser(userId, (u) => {
    changed = u.status !== 'frozen';
    u.status = 'frozen';
    if (ctx.reason !== undefined) u.frozenReason = ctx.reason;
    u.updatedAt = new Date(core.now()).toISOString();
    return u;
  });
  if (changed) {
    const data = {
      userId,
      username: next.username,
      ...(ctx.reason === undefined ? {} : { reason: ctx.reason }),
    };
    await core.bus.publish('user.frozen', data, publishOpts(ctx));
  }
  await core.sessions.endAllFor(userId, 'frozen', ctx);
  return toPublic(next);
}

export async function unfreeze(core: Core, userId: string, ctx: ChangeContext): Promise<PublicUser> {
  const next = await core.store.updateUser(userId, (u) => {
    u.status = 'active';
    delete u.frozenReason;
    u.failedLogins = 0;
    delete u.lockedUntil;
    u.updatedAt = new Date(core.now()).toISOString();
    return u;
  });
  await core.bus.publish('user.unfrozen', { userId, username: next.username }, publishOpts(ctx));
  return toPublic(next);
}
