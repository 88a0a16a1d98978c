import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConsoleState } from './console-state.ts';
import { HqError } from './errors.ts';
import { SignInLockout } from './lockout.ts';
import type { OperatorHasher } from './password.ts';
import { newTotpSecret, totpStepOf } from './totp.ts';

export const INITIAL_OPERATOR_FILE = 'initial-operator-password';
const ACCOUNTS_FILE = 'operators.json';

interface OperatorRecord {
  hash: string;
  createdAt: string;
  createdBy: string;
  mustChangePassword: boolean;
  /** A disabled operator cannot sign in; set with the time and who did it. */
  disabledAt?: string;
  disabledBy?: string;
  /** Confirmed TOTP: the secret and the last 30 s step accepted (a code works once). */
  mfa?: { secret: string; enrolledAt: string; lastStep: number };
  /** A secret shown for enrolment, in force only once confirmed with a code. */
  mfaPending?: string;
  /** Rights beyond `operator`; absent on accounts made before roles existed (operator only). */
  roles?: OperatorRole[];
}

/**
 * `operator`: today's console rights (every operator has it). `reveal`: may
 * open one sealed field of one record (audited at HQ and at the branch);
 * granted only by another operator.
 */
export type OperatorRole = 'operator' | 'reveal';
export const OPERATOR_ROLES: readonly OperatorRole[] = ['operator', 'reveal'];

function rolesOf(rec: OperatorRecord | undefined): OperatorRole[] {
  return ['operator', ...(rec?.roles ?? []).filter((r) => r !== 'operator')];
}

/** Whether an operator signs in with a TOTP code yet. */
export type OperatorMfaState = 'enabled' | 'not_enrolled';

/** An operator as the console lists them. */
export interface OperatorSummary {
  username: string;
  disabled: boolean;
  disabledAt?: string;
  disabledBy?: string;
  mfa: OperatorMfaState;
  mustChangePassword: boolean;
  roles: OperatorRole[];
}

export interface OperatorAccountsOptions {
  hasher: OperatorHasher;
  /** Where failure counts and locks are kept (durable across restarts). */
  state: ConsoleState;
  /** Consecutive failures before the account locks (default 5). */
  maxFailures?: number;
  /** How long a lock lasts (default 15 min). */
  lockMs?: number;
  now?: () => number;
}

export type LoginResult =
  | { ok: true; username: string; mustChangePassword: boolean }
  | { ok: false; reason: 'invalid' }
  /** The password was right; the operator has MFA and sent no code, or a wrong or used one. */
  | { ok: false; reason: 'mfa_required' | 'mfa_invalid' }
  | { ok: false; reason: 'locked'; retryAfterS: number };

/** Why a new password is refused, or undefined when acceptable (same rule as the appliance). */
export function operatorPasswordProblem(password: string, username: string): string | undefined {
  if (password.length < 12) return 'Password must have at least 12 characters';
  if (password.length > 256) return 'Password must have at most 256 characters';
  if (password.trim().toLowerCase() === username.trim().toLowerCase())
    return 'Password must not equal the username';
  return undefined;
}

/**
 * HQ operator accounts in `<dataDir>/operators.json` (0600, outside the
 * CouchDB directory so no branch can replicate it), argon2id hashes, and a
 * durable lockout after repeated failures (SignInLockout). Unknown and
 * disabled names count failures too, so "locked" says nothing about whether
 * an account exists.
 */
export class OperatorAccounts {
  readonly #file: string;
  readonly #dataDir: string;
  readonly #o: Required<Omit<OperatorAccountsOptions, 'hasher' | 'state'>> & { hasher: OperatorHasher };
  readonly lockout: SignInLockout;
  #cache: Record<string, OperatorRecord> | undefined;
  #dummy: Promise<string> | undefined;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string, options: OperatorAccountsOptions) {
    this.#dataDir = dataDir;
    this.#file = path.join(dataDir, ACCOUNTS_FILE);
    const { state, ...rest } = options;
    this.#o = { maxFailures: 5, lockMs: 15 * 60_000, now: Date.now, ...rest };
    this.lockout = new SignInLockout(state, {
      maxFailures: this.#o.maxFailures,
      lockMs: this.#o.lockMs,
      now: this.#o.now,
    });
  }

  async #load(): Promise<Record<string, OperatorRecord>> {
    if (this.#cache) return this.#cache;
    const text = await readFile(this.#file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '{"operators":{}}';
      throw err;
    });
    this.#cache = (JSON.parse(text) as { operators: Record<string, OperatorRecord> }).operators;
    return this.#cache;
  }

  #save(): Promise<void> {
    const body = JSON.stringify({ operators: this.#cache ?? {} }, null, 2);
    const next = this.#writes.then(async () => {
      await mkdir(this.#dataDir, { recursive: true, mode: 0o700 });
      const tmp = `${this.#file}.tmp`;
      await writeFile(tmp, body, { mode: 0o600 });
      await rename(tmp, this.#file);
      await chmod(this.#file, 0o600);
    });
    this.#writes = next.catch(() => undefined);
    return next;
  }

  async usernames(): Promise<string[]> {
    return Object.keys(await this.#load()).sort();
  }

  /** Every operator by name, with whether they are disabled (never their password hash). */
  async list(): Promise<OperatorSummary[]> {
    const ops = await this.#load();
    return Object.keys(ops)
      .sort()
      .map((username) => {
        const rec = ops[username];
        const common = {
          username,
          mfa: rec?.mfa ? ('enabled' as const) : ('not_enrolled' as const),
          mustChangePassword: rec?.mustChangePassword ?? false,
          roles: rolesOf(rec),
        };
        return rec?.disabledAt === undefined
          ? { ...common, disabled: false }
          : {
              ...common,
              disabled: true,
              disabledAt: rec.disabledAt,
              ...(rec.disabledBy ? { disabledBy: rec.disabledBy } : {}),
            };
      });
  }

  /**
   * On first run (no operators), creates `admin` with a one-time password,
   * written to `<dataDir>/initial-operator-password` (0600) before the account.
   */
  async ensureInitial(): Promise<{ username: string; password: string; file: string } | undefined> {
    const ops = await this.#load();
    if (Object.keys(ops).length > 0) return undefined;
    const password = randomBytes(18).toString('base64url');
    const file = path.join(this.#dataDir, INITIAL_OPERATOR_FILE);
    await mkdir(this.#dataDir, { recursive: true, mode: 0o700 });
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    ops['admin'] = await this.#record(password, 'system', true);
    await this.#save();
    return { username: 'admin', password, file };
  }

  async #record(password: string, by: string, mustChangePassword: boolean): Promise<OperatorRecord> {
    return {
      hash: await this.#o.hasher.hash(password),
      createdAt: new Date(this.#o.now()).toISOString(),
      createdBy: by,
      mustChangePassword,
    };
  }

  #dummyHash(): Promise<string> {
    this.#dummy ??= this.#o.hasher.hash(randomBytes(24).toString('base64url'));
    return this.#dummy;
  }

  /**
   * Checks the password and, for an operator with MFA, the TOTP code; a
   * wrong code, a missing one and a code already used count towards the
   * lockout like a wrong password.
   */
  async login(username: string, password: string, totp?: string): Promise<LoginResult> {
    const retryAfterS = await this.lockout.retryAfterS(username);
    if (retryAfterS !== undefined) return { ok: false, reason: 'locked', retryAfterS };
    const rec = (await this.#load())[username];
    // Same cost for an unknown name, so timing does not reveal which names exist.
    const ok = rec
      ? await this.#o.hasher.verify(rec.hash, password)
      : await this.#o.hasher.verify(await this.#dummyHash(), password).then(() => false);
    // A disabled operator's right password is a failure like any other.
    let reason: 'invalid' | 'mfa_required' | 'mfa_invalid' = 'invalid';
    if (ok && rec && rec.disabledAt === undefined) {
      if (!rec.mfa) {
        await this.lockout.clear(username);
        return { ok: true, username, mustChangePassword: rec.mustChangePassword };
      }
      const step = totp === undefined ? undefined : totpStepOf(rec.mfa.secret, totp, this.#o.now());
      if (step !== undefined && step > rec.mfa.lastStep) {
        rec.mfa.lastStep = step;
        await this.#save();
        await this.lockout.clear(username);
        return { ok: true, username, mustChangePassword: rec.mustChangePassword };
      }
      reason = totp === undefined ? 'mfa_required' : 'mfa_invalid';
    }
    const lockS = await this.lockout.fail(username);
    if (lockS !== undefined) return { ok: false, reason: 'locked', retryAfterS: lockS };
    return { ok: false, reason };
  }

  /** Whether `username` has confirmed MFA. */
  async mfaState(username: string): Promise<OperatorMfaState> {
    return (await this.#load())[username]?.mfa ? 'enabled' : 'not_enrolled';
  }

  /** The secret to enrol with: the pending one if enrolment has begun, else a new one. */
  async beginMfa(username: string): Promise<string> {
    const rec = (await this.#load())[username];
    if (!rec) throw new HqError('HQ_NOT_FOUND', `No operator ${username}`, { status: 404 });
    if (rec.mfa) throw new HqError('HQ_MFA_ALREADY_ENROLLED', 'MFA is already set up', { status: 409 });
    if (!rec.mfaPending) {
      rec.mfaPending = newTotpSecret();
      await this.#save();
    }
    return rec.mfaPending;
  }

  /** Puts the pending secret in force once `code` proves the operator's app holds it. */
  async confirmMfa(username: string, code: string): Promise<void> {
    const rec = (await this.#load())[username];
    if (!rec?.mfaPending)
      throw new HqError('HQ_MFA_NOT_STARTED', 'Open the MFA set-up page first', { status: 409 });
    const step = totpStepOf(rec.mfaPending, code, this.#o.now());
    if (step === undefined) throw new HqError('HQ_MFA_INVALID', 'Wrong authenticator code');
    rec.mfa = { secret: rec.mfaPending, enrolledAt: new Date(this.#o.now()).toISOString(), lastStep: step };
    delete rec.mfaPending;
    await this.#save();
  }

  /** Removes an operator's MFA (recovery by another operator): they enrol again at their next sign-in. */
  async resetMfa(username: string): Promise<void> {
    const rec = (await this.#load())[username];
    if (!rec) throw new HqError('HQ_NOT_FOUND', `No operator ${username}`, { status: 404 });
    delete rec.mfa;
    delete rec.mfaPending;
    await this.#save();
  }

  /** Lets a disabled operator sign in again; idempotent. */
  async enable(username: string): Promise<void> {
    const rec = (await this.#load())[username];
    if (!rec) throw new HqError('HQ_NOT_FOUND', `No operator ${username}`, { status: 404 });
    if (rec.disabledAt === undefined) return;
    delete rec.disabledAt;
    delete rec.disabledBy;
    await this.#save();
  }

  /** Replaces a password after checking the current one; clears the first-run flag. */
  async changePassword(username: string, current: string, next: string): Promise<void> {
    const problem = operatorPasswordProblem(next, username);
    if (problem) throw new HqError('HQ_WEAK_PASSWORD', problem);
    const retryAfterS = await this.lockout.retryAfterS(username);
    const rec = (await this.#load())[username];
    const ok = retryAfterS === undefined && rec && (await this.#o.hasher.verify(rec.hash, current));
    if (!ok) {
      const lockS = retryAfterS ?? (await this.lockout.fail(username));
      throw new HqError(
        lockS !== undefined ? 'HQ_LOCKED' : 'HQ_UNAUTHENTICATED',
        'Current password is wrong',
        {
          status: lockS !== undefined ? 423 : 401,
        },
      );
    }
    await this.lockout.clear(username);
    const ops = await this.#load();
    const createdBy = rec.createdBy;
    // MFA stays as it is: the caller's session already passed it.
    const { mfa, mfaPending, roles } = rec;
    ops[username] = {
      ...(await this.#record(next, createdBy, false)),
      ...(mfa ? { mfa } : {}),
      ...(mfaPending ? { mfaPending } : {}),
      ...(roles ? { roles } : {}),
    };
    await this.#save();
    // The first-run operator's one-time password file is useless now; do not leave it beside the data.
    if (createdBy === 'system') await rm(path.join(this.#dataDir, INITIAL_OPERATOR_FILE), { force: true });
  }

  /** Whether an active operator holds `role` (every active operator holds `operator`). */
  async hasRole(username: string, role: OperatorRole): Promise<boolean> {
    const rec = (await this.#load())[username];
    return rec !== undefined && rec.disabledAt === undefined && rolesOf(rec).includes(role);
  }

  /**
   * Grants or revokes a role; returns whether anything changed. `operator`
   * cannot be revoked (disable the account instead).
   */
  async setRole(username: string, role: OperatorRole, granted: boolean): Promise<boolean> {
    if (!OPERATOR_ROLES.includes(role)) throw new HqError('HQ_BAD_REQUEST', `Unknown role ${role}`);
    if (role === 'operator')
      throw new HqError(
        'HQ_BAD_REQUEST',
        'Every operator has the operator role; disable the account instead',
      );
    const rec = (await this.#load())[username];
    if (!rec) throw new HqError('HQ_NOT_FOUND', `No operator ${username}`, { status: 404 });
    const extra = (rec.roles ?? []).filter((r) => r !== 'operator');
    if (extra.includes(role) === granted) return false;
    const next = granted ? [...extra, role] : extra.filter((r) => r !== role);
    if (next.length > 0) rec.roles = next;
    else delete rec.roles;
    await this.#save();
    return true;
  }

  /** True when `username` exists and is not disabled. */
  async isActive(username: string): Promise<boolean> {
    const rec = (await this.#load())[username];
    return rec !== undefined && rec.disabledAt === undefined;
  }

  /** Disables an operator (the caller ends their sessions); idempotent. */
  async disable(username: string, by: string): Promise<void> {
    const rec = (await this.#load())[username];
    if (!rec) throw new HqError('HQ_NOT_FOUND', `No operator ${username}`, { status: 404 });
    if (rec.disabledAt !== undefined) return;
    rec.disabledAt = new Date(this.#o.now()).toISOString();
    rec.disabledBy = by;
    await this.#save();
  }

  /** Adds an operator who must change the given password at first sign-in. */
  async add(username: string, password: string, by: string): Promise<void> {
    if (!/^[a-z0-9][a-z0-9._-]{1,31}$/.test(username))
      throw new HqError('HQ_BAD_REQUEST', 'Username must be 2-32 characters: a-z, 0-9, . _ -');
    const problem = operatorPasswordProblem(password, username);
    if (problem) throw new HqError('HQ_WEAK_PASSWORD', problem);
    const ops = await this.#load();
    if (ops[username])
      throw new HqError('HQ_OPERATOR_EXISTS', `Operator ${username} exists`, { status: 409 });
    ops[username] = await this.#record(password, by, true);
    await this.#save();
  }
}
