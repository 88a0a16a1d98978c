import type { Permission } from '../contracts/index.ts';
import type { EventBus } from '../events/index.ts';
import type { Principal } from '../http/index.ts';
import type { DocStore } from '../storage/index.ts';
import * as account from './account.ts';
import type { Core, DirectorySignIn } from './core.ts';
import { ensureInitialAdmin, retireInitialAdminFile } from './first-run.ts';
import { login } from './login.ts';
import { PasswordHasher } from './password-hasher.ts';
import * as roles from './roles.ts';
import { Sessions, sessionHandle } from './sessions.ts';
import { IdentityStore } from './store.ts';
import type { ThrottleOptions } from './throttle.ts';
import { Throttle } from './throttle.ts';
import type {
  ChangeContext,
  LoginInput,
  LoginResult,
  NewUserInput,
  PublicUser,
  Role,
  RoleInput,
  UserPatch,
} from './types.ts';
import * as users from './users.ts';

export interface IdentityOptions {
  /** Idle session timeout; default 15 minutes. */
  idleMinutes?: number;
  /** Consecutive failures before lockout; 1..10, default 10. */
  maxFailures?: number;
  /** Lockout length; at least 30, default 30 minutes. */
  lockoutMinutes?: number;
  /** Per-IP sign-in throttle; default 20 attempts per minute. */
  throttle?: Omit<ThrottleOptions, 'now'>;
  /** Shared hasher (tests, bench); otherwise one is made and closed with the service. */
  hasher?: PasswordHasher;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** Users, roles, sessions, MFA and freezes over one DocStore; publishes every change on the bus. */
export class IdentityService {
  #core: Core;
  #ownsHasher: boolean;
  #closed = false;

  constructor(store: DocStore, bus: EventBus, options: IdentityOptions = {}) {
    const maxFailures = options.maxFailures ?? 10;
    const lockoutMinutes = options.lockoutMinutes ?? 30;
    const idleMinutes = options.idleMinutes ?? 15;
    if (!(maxFailures >= 1 && maxFailures <= 10))
      throw new RangeError(`maxFailures must be 1..10, got ${maxFailures}`);
    if (!(lockoutMinutes >= 30)) throw new RangeError(`lockoutMinutes must be >= 30, got ${lockoutMinutes}`);
    if (!(idleMinutes > 0)) throw new RangeError(`idleMinutes must be > 0, got ${idleMinutes}`);
    const now = options.now ?? Date.now;
    const ids = new IdentityStore(store);
    let roleCache: Promise<ReadonlyMap<string, readonly Permission[]>> | undefined;
    this.#ownsHasher = options.hasher === undefined;
    this.#core = {
      store: ids,
      bus,
      now,
      hasher: options.hasher ?? new PasswordHasher(),
      sessions: new Sessions({ store: ids, bus, idleMs: idleMinutes * 60_000, now }),
      throttle: new Throttle({ ...options.throttle, now }),
      maxFailures,
      lockoutMs: lockoutMinutes * 60_000,
      customRoles: () => {
        roleCache ??= ids.listRoles().then((rs) => new Map(rs.map((r) => [r.id, r.permissions])));
        roleCache.catch(() => {
          roleCache = undefined;
        });
        return roleCache;
      },
      invalidateRoles: () => {
        roleCache = undefined;
      },
    };
  }

  /**
   * Plugs a directory into sign-in (identity/directory only): `make` gets the
   * shared core and returns the directory; names that are not local users sign in there.
   */
  attachDirectory<T extends DirectorySignIn>(make: (core: Core) => T): T {
    const directory = make(this.#core);
    this.#core.directory = directory;
    return directory;
  }

  /** Plugs single sign-on into identity (identity/oidc only): `make` gets the shared core. */
  attachSso<T>(make: (core: Core) => T): T {
    return make(this.#core);
  }

  login(input: LoginInput, ctx: { ip: string }): Promise<LoginResult> {
    return login(this.#core, input, ctx.ip);
  }

  /** The SessionResolver for the auth middleware: cookie token → principal, or undefined. */
  resolveSession = (token: string): Promise<Principal | undefined> =>
    account.resolveSession(this.#core, token);

  /**
   * The principal of a live session by handle (`Principal.sessionId`), without
   * refreshing its idle timer: for re-checking open WebSockets. A handle is not
   * a credential, so never resolve one taken from a request.
   */
  sessionPrincipal = (sessionId: string): Promise<Principal | undefined> =>
    account.principalForHandle(this.#core, sessionId);

  /** Ends a session by its handle (`Principal.sessionId`); false when it was already gone. */
  logout(sessionId: string, ctx: ChangeContext = {}): Promise<boolean> {
    return this.#core.sessions.end(sessionId, 'logout', ctx);
  }

  /** Deletes sessions idle past the timeout; for a periodic job. */
  sweepSessions(): Promise<number> {
    return this.#core.sessions.sweep();
  }

  changePassword(userId: string, change: account.PasswordChange, ctx: ChangeContext = {}): Promise<void> {
    return account.changePassword(this.#core, userId, change, ctx);
  }

  beginMfa(userId: string): Promise<{ secret: string; otpauthUrl: string }> {
    return account.beginMfa(this.#core, userId);
  }

  confirmMfa(userId: string, code: string, ctx: ChangeContext = {}): Promise<void> {
    return account.confirmMfa(this.#core, userId, code, ctx);
  }

  freeze(userId: string, ctx: ChangeContext & { reason?: string } = {}): Promise<PublicUser> {
    return users.freeze(this.#core, userId, ctx);
  }

  unfreeze(userId: string, ctx: ChangeContext = {}): Promise<PublicUser> {
    return users.unfreeze(this.#core, userId, ctx);
  }

  createUser(
    input: NewUserInput,
    ctx: ChangeContext = {},
  ): Promise<{ user: PublicUser; oneTimePassword: string }> {
    return users.createUser(this.#core, input, ctx);
  }

  updateUser(userId: string, patch: UserPatch, ctx: ChangeContext = {}): Promise<PublicUser> {
    return users.updateUser(this.#core, userId, patch, ctx);
  }

  getUser(userId: string): Promise<PublicUser> {
    return users.getUser(this.#core, userId);
  }

  /** Looks a user up by name (case-insensitive), e.g. for the CLI's `user freeze <name>`. */
  async findUser(username: string): Promise<PublicUser | undefined> {
    const u = await this.#core.store.findByUsername(username);
    return u ? users.getUser(this.#core, u.id) : undefined;
  }

  listUsers(): Promise<PublicUser[]> {
    return users.listUsers(this.#core);
  }

  /** A page of users in username order (`after`: the `last` of the page before). */
  pageUsers(page: { limit: number; after?: string }): Promise<{ users: PublicUser[]; last?: string }> {
    return users.pageUsers(this.#core, page);
  }

  resetPassword(userId: string, ctx: ChangeContext = {}): Promise<string> {
    return users.resetPassword(this.#core, userId, ctx);
  }

  listRoles(): Promise<Role[]> {
    return roles.listRoles(this.#core);
  }

  createRole(input: RoleInput, ctx: ChangeContext = {}): Promise<Role> {
    return roles.createRole(this.#core, input, ctx);
  }

  updateRole(id: string, patch: { description?: string; permissions?: string[] }, ctx: ChangeContext = {}) {
    return roles.updateRole(this.#core, id, patch, ctx);
  }

  deleteRole(id: string, ctx: ChangeContext = {}): Promise<void> {
    return roles.deleteRole(this.#core, id, ctx);
  }

  ensureInitialAdmin(options: { dataDir: string }) {
    return ensureInitialAdmin(this.#core, options.dataDir);
  }

  /** Removes the one-time admin password file once `admin` has changed that password. */
  retireInitialAdminFile(options: { dataDir: string }): Promise<boolean> {
    return retireInitialAdminFile(this.#core, options.dataDir);
  }

  /** Stops the password-hash workers if this service made them; idempotent. Does not close the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsHasher) await this.#core.hasher.close();
  }
}

export { sessionHandle };
