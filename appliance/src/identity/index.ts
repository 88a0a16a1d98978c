/**
 * Identity: users, roles and permissions, argon2id passwords, TOTP MFA,
 * server-side sessions, lockout/throttle, freeze, first-run admin, field masking.
 * @example
 * const identity = new IdentityService(store, bus, { idleMinutes: config.sessionIdleMinutes });
 * const first = await identity.ensureInitialAdmin({ dataDir: config.dataDir });
 * const app = createApp({ resolveSession: identity.resolveSession, mount: [['/api', identityRoutes(identity)]], health });
 */

/**
 * Directory sign-in (LDAP/AD): the module (sign-in, group → role mappings, the
 * sync loop that freezes disabled or removed directory accounts).
 * @example
 * export const MODULES = [..., directoryModule];
 */
export { directoryModule } from './directory/module.ts';
export type { IdentityErrorCode } from './errors.ts';
/**
 * Errors thrown by identity operations; `code` is one of IdentityErrorCode.
 * @example
 * if (err instanceof IdentityError && err.code === 'IDENTITY_BAD_CREDENTIALS') showLoginError();
 */
export { IdentityError } from './errors.ts';
export type { SensitiveField } from './masking.ts';
/**
 * Display masking by permission: clear with `customers.read_sensitive`, masked otherwise.
 * @example
 * maskFor(principal.permissions, 'bankCard', '6222021234561234'); // '6222 **** **** 1234' for an agent
 * maskIdCard('110101199003071234'); // '110101********1234'
 * maskPhone('13812345678'); // '138****5678'
 */
export { maskBankCard, maskEmail, maskFor, maskIdCard, maskPhone } from './masking.ts';
/**
 * Single sign-on with OpenID Connect: the module mounting `/api/auth/oidc/*` (list it in module-list.ts).
 * @example
 * export const MODULES: BranchModule[] = [oidcModule, ...];
 */
export { oidcModule } from './oidc/module.ts';
export type { PasswordHasherOptions } from './password-hasher.ts';
/**
 * argon2id hashing with bounded concurrency on worker threads.
 * @example
 * const hasher = new PasswordHasher({ opslimit: 2 });
 * const hash = await hasher.hash('a long passphrase');
 * await hasher.close();
 */
export { ARGON2_MEMLIMIT, PasswordHasher } from './password-hasher.ts';
/**
 * Role → permission resolution (auditor + admin together yield audit.settings).
 * @example
 * permissionsFor(['auditor', 'admin'], new Map()).has('audit.settings'); // true
 */
export { BUILTIN_PERMISSIONS, permissionsFor, requiresMfa } from './permissions.ts';
/**
 * The `/api` sub-app: /auth/login|logout|me|password|mfa/*, /users, /roles.
 * @example
 * app.route('/api', identityRoutes(identity));
 */
export { identityRoutes } from './routes.ts';
export type { IdentityOptions } from './service.ts';
export { IdentityService, sessionHandle } from './service.ts';

/**
 * RFC 6238 TOTP helpers (what an authenticator app computes).
 * @example
 * const code = totp(base32Decode(secret), Date.now());
 */
export { base32Decode, base32Encode, totp } from './totp.ts';

/**
 * Data shapes of the identity API.
 * @example
 * const u: PublicUser = await identity.getUser(id);
 */
export type { ChangeContext, LoginInput, LoginResult, PublicUser, Role, UserStatus } from './types.ts';
