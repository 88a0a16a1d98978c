import { createLogger } from '../logging/index.ts';
import type { Core, DirectorySignIn } from './core.ts';
import { mfaSetupRequired, toPublic } from './core.ts';
import { badCredentials, IdentityError } from './errors.ts';
import { requiresMfa } from './permissions.ts';
import { verifyTotp } from './totp.ts';
import type { LoginInput, LoginResult, UserDoc } from './types.ts';

const log = createLogger('identity');
type FailReason = 'bad_credentials' | 'locked' | 'mfa' | 'frozen';

async function failed(core: Core, username: string, reason: FailReason, ip: string): Promise<never> {
  core.throttle.take(ip);
  await core.bus.publish('auth.failed', { username, reason }, { source: ip });
  log.info(`sign-in refused [reason:${reason}, ip:${ip}]`);
  throw badCredentials();
}

/** Counts a failure; the `maxFailures`-th consecutive one locks the account for `lockoutMs`. */
async function countFailure(core: Core, user: UserDoc, ip: string): Promise<void> {
  let lockedUntil: string | undefined;
  await core.store.updateUser(user.id, (u) => {
    u.failedLogins += 1;
    if (u.failedLogins >= core.maxFailures) {
      lockedUntil = new Date(core.now() + core.lockoutMs).toISOString();
      u.lockedUntil = lockedUntil;
      u.failedLogins = 0;
    }
    return u;
  });
  if (lockedUntil !== undefined) {
    await core.bus.publish('user.locked_out', { userId: user.id, until: lockedUntil }, { source: ip });
  }
}

/**
 * Signs in. Every failure before the password is proven answers the same
 * IDENTITY_BAD_CREDENTIALS after the same argon2id work, so neither the body
 * nor the timing tells unknown, wrong, frozen and locked apart.
 */
export async function login(core: Core, input: LoginInput, ip: string): Promise<LoginResult> {
  // Only failures spend the IP's budget, so a branch of agents behind one address can sign in.
  if (!core.throttle.allows(ip)) {
    await core.bus.publish('auth.failed', { username: input.username, reason: 'throttled' }, { source: ip });
    throw new IdentityError('IDENTITY_THROTTLED', 'Too many sign-in attempts; try again later', {
      status: 429,
    });
  }
  const user = await core.store.findByUsername(input.username);
  // A local account always wins; other names (and directory accounts) sign in at the directory.
  if (core.directory?.enabled && (!user || user.source === 'directory')) {
    return directoryLogin(core, core.directory, input, ip, user);
  }
  if (!user) {
    await core.hasher.verifyDummy(input.password);
    return failed(core, input.username, 'bad_credentials', ip);
  }
  const ok = await core.hasher.verify(user.passwordHash, input.password);
  if (user.lockedUntil !== undefined && Date.parse(user.lockedUntil) > core.now()) {
    return failed(core, user.username, 'locked', ip);
  }
  if (!ok) {
    await countFailure(core, user, ip);
    return failed(core, user.username, 'bad_credentials', ip);
  }
  if (user.status === 'frozen') return failed(core, user.username, 'frozen', ip);
  if (core.directory?.unreachable()) {
    // Break-glass: a local account signing in while directory accounts cannot.
    await core.bus.publish(
      'auth.break_glass',
      { userId: user.id, username: user.username, reason: 'directory_unreachable' },
      { actor: user.id, source: ip },
    );
    log.warn(`break-glass sign-in while the directory is unreachable [user:${user.username}, ip:${ip}]`);
  }
  return finish(core, user, input, ip);
}

/** MFA (same rules for local and directory accounts), then the session. */
async function finish(core: Core, user: UserDoc, input: LoginInput, ip: string): Promise<LoginResult> {
  let step: number | undefined;
  if (requiresMfa(user.roles) && user.mfa.enrolled) {
    if (!input.totp) {
      throw new IdentityError('IDENTITY_MFA_REQUIRED', 'A one-time code is required', { status: 401 });
    }
    step = verifyTotp(user.totpSecret ?? '', input.totp, { nowMs: core.now(), lastStep: user.mfa.lastStep });
    if (step === undefined) {
      await countFailure(core, user, ip);
      return failed(core, user.username, 'mfa', ip);
    }
  }
  const updated = await core.store.updateUser(user.id, (u) => {
    u.failedLogins = 0;
    delete u.lockedUntil;
    if (step !== undefined) u.mfa.lastStep = step;
    return u;
  });
  const { token, doc } = await core.sessions.create(user.id, ip);
  return {
    token,
    user: toPublic(updated),
    csrfToken: doc.csrfToken,
    mustChangePassword: updated.mustChangePassword,
    mfaSetupRequired: mfaSetupRequired(updated),
  };
}

/**
 * Directory sign-in: the directory proves the password (nothing is stored
 * here) and its groups give the roles; the account is provisioned on first
 * sign-in. A directory that cannot be reached answers its own code, so the
 * user knows to try a local (break-glass) account or wait.
 */
async function directoryLogin(
  core: Core,
  directory: DirectorySignIn,
  input: LoginInput,
  ip: string,
  known: UserDoc | undefined,
): Promise<LoginResult> {
  if (known?.lockedUntil !== undefined && Date.parse(known.lockedUntil) > core.now()) {
    return failed(core, known.username, 'locked', ip);
  }
  let verdict: Awaited<ReturnType<DirectorySignIn['signIn']>>;
  try {
    verdict = await directory.signIn(input.username, input.password, ip);
  } catch (err) {
    if (err instanceof IdentityError && err.code === 'IDENTITY_DIRECTORY_UNAVAILABLE') {
      await core.bus.publish(
        'auth.failed',
        { username: input.username, reason: 'directory_unavailable' },
        { source: ip },
      );
    }
    throw err;
  }
  if (verdict.kind === 'no_role') {
    core.throttle.take(ip);
    await core.bus.publish(
      'auth.failed',
      { username: input.username, reason: 'directory_no_role' },
      { source: ip },
    );
    throw new IdentityError(
      'IDENTITY_DIRECTORY_NO_ROLE',
      'Your directory account is in no group mapped to a role here',
      { status: 403 },
    );
  }
  if (verdict.kind === 'bad_credentials') {
    if (verdict.user) await countFailure(core, verdict.user, ip);
    return failed(core, verdict.user?.username ?? input.username, 'bad_credentials', ip);
  }
  const user = verdict.user;
  if (user.status === 'frozen') return failed(core, user.username, 'frozen', ip);
  return finish(core, user, input, ip);
}
