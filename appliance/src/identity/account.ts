import { randomBytes } from 'node:crypto';
import type { Principal } from '../http/index.ts';
import type { Core } from './core.ts';
import { mfaSetupRequired, userPermissions } from './core.ts';
import { IdentityError, userNotFound } from './errors.ts';
import { passwordProblem } from './password-hasher.ts';
import { publishOpts } from './sessions.ts';
import { newTotpSecret, otpauthUrl, verifyTotp } from './totp.ts';
import type { ChangeContext, SessionDoc } from './types.ts';

/** A random one-time password: 24 base64url characters (144 bits). */
export function oneTimePassword(): string {
  return randomBytes(18).toString('base64url');
}

export async function resolveSession(core: Core, token: string): Promise<Principal | undefined> {
  const s = await core.sessions.touch(token);
  return s ? principalOf(core, s) : undefined;
}

/** The principal of a session handle, without refreshing its idle timer. */
export async function principalForHandle(core: Core, handle: string): Promise<Principal | undefined> {
  const s = await core.sessions.peek(handle);
  return s ? principalOf(core, s) : undefined;
}

async function principalOf(core: Core, s: SessionDoc): Promise<Principal | undefined> {
  const u = await core.store.getUser(s.userId);
  if (!u || u.status === 'frozen') {
    await core.sessions.end(s.handle, 'frozen', { actor: 'system' });
    return undefined;
  }
  return {
    userId: u.id,
    username: u.username,
    roles: [...u.roles],
    permissions: await userPermissions(core, u.roles),
    sessionId: s.handle,
    csrfToken: s.csrfToken,
    mustChangePassword: u.mustChangePassword,
    // An IdP that asserted MFA stands in for TOTP enrolment for this session.
    mfaSetupRequired: s.sso?.mfa === true ? false : mfaSetupRequired(u),
  };
}

export interface PasswordChange {
  current: string;
  next: string;
  /** The caller's session handle, kept alive; every other session of the user ends. */
  keepSession?: string;
}

export async function changePassword(core: Core, userId: string, change: PasswordChange, ctx: ChangeContext) {
  const user = await core.store.getUser(userId);
  if (!user) throw userNotFound(userId);
  if (!(await core.hasher.verify(user.passwordHash, change.current))) {
    await core.bus.publish(
      'auth.failed',
      { username: user.username, reason: 'bad_credentials' },
      publishOpts(ctx),
    );
    throw new IdentityError('IDENTITY_BAD_CREDENTIALS', 'Current password is wrong', { status: 403 });
  }
  const problem =
    passwordProblem(change.next, user.username) ??
    (change.next === change.current ? 'New password must differ' : undefined);
  if (problem) throw new IdentityError('IDENTITY_WEAK_PASSWORD', problem, { status: 400 });
  const hash = await core.hasher.hash(change.next);
  await core.store.updateUser(userId, (u) => {
    u.passwordHash = hash;
    u.mustChangePassword = false;
    u.updatedAt = new Date(core.now()).toISOString();
    return u;
  });
  await core.bus.publish('user.password_changed', { userId }, publishOpts({ actor: userId, ...ctx }));
  await core.sessions.endAllFor(userId, 'replaced', { actor: userId, ...ctx }, change.keepSession);
}

export async function beginMfa(core: Core, userId: string): Promise<{ secret: string; otpauthUrl: string }> {
  const secret = newTotpSecret();
  const u = await core.store.updateUser(userId, (u) => {
    if (u.mfa.enrolled) {
      throw new IdentityError('IDENTITY_MFA_ALREADY_ENROLLED', 'MFA is already enrolled', { status: 409 });
    }
    u.totpSecret = secret;
    return u;
  });
  return { secret, otpauthUrl: otpauthUrl(secret, u.username) };
}

export async function confirmMfa(
  core: Core,
  userId: string,
  code: string,
  ctx: ChangeContext,
): Promise<void> {
  await core.store.updateUser(userId, (u) => {
    if (u.mfa.enrolled || u.totpSecret === undefined) {
      throw new IdentityError('IDENTITY_MFA_NOT_STARTED', 'No MFA enrolment in progress', { status: 409 });
    }
    const step = verifyTotp(u.totpSecret, code, { nowMs: core.now() });
    if (step === undefined)
      throw new IdentityError('IDENTITY_BAD_MFA_CODE', 'The code is not valid', { status: 400 });
    u.mfa = { enrolled: true, lastStep: step };
    u.updatedAt = new Date(core.now()).toISOString();
    return u;
  });
  await core.bus.publish('user.mfa_enrolled', { userId }, publishOpts({ actor: userId, ...ctx }));
}
