import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { OidcConfig } from '../../config/index.ts';
import { createLogger } from '../../logging/index.ts';
import type { Core } from '../core.ts';
import { mfaSetupRequired, toPublic } from '../core.ts';
import { IdentityError } from '../errors.ts';
import { requiresMfa } from '../permissions.ts';
import { verifyTotp } from '../totp.ts';
import type { ChangeContext, LoginResult, UserDoc } from '../types.ts';
import { claimValues, mapRoles, mfaAsserted, usernameFor } from './claims.ts';
import { discoverIdp, type IdpClient } from './client.ts';
import { LogoutTokenVerifier } from './logout-token.ts';
import { knownRoles, provisionSsoUser, subjectKey } from './provision.ts';
import type { CallbackResult, Claims, SsoRefusal } from './types.ts';

const log = createLogger('identity');
const PENDING_MS = 10 * 60_000;
const MFA_MS = 5 * 60_000;
/** Unauthenticated starts each hold one entry: a bound, so a flood cannot grow memory. */
const MAX_PENDING = 10_000;
const MFA_TRIES = 5;

interface PendingLogin {
  state: string;
  verifier: string;
  nonce: string;
  redirectUri: string;
  at: number;
}

interface PendingMfa {
  userId: string;
  subject: string;
  sid: string | undefined;
  at: number;
  tries: number;
}

const hash = (s: string) => createHash('sha256').update(s).digest('base64url');

/** Adds in time order, dropping expired entries (the oldest come first) and, at the bound, the oldest. */
function bounded<V extends { at: number }>(map: Map<string, V>, key: string, value: V, ttlMs: number): void {
  for (const [k, v] of map) {
    if (value.at - v.at <= ttlMs && map.size < MAX_PENDING) break;
    map.delete(k);
  }
  map.set(key, value);
}

function failed(message: string, cause?: unknown): IdentityError {
  return new IdentityError('IDENTITY_SSO_FAILED', message, {
    status: 401,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * OpenID Connect sign-in: authorization code with PKCE, state and nonce;
 * groups mapped to roles; first sign-in provisions the user; MFA is the IdP's
 * when it asserts it (`amr`/`acr`), else the appliance's TOTP step follows;
 * back-channel logout ends the sessions at once.
 */
export class OidcSignIn {
  readonly #core: Core;
  readonly #cfg: OidcConfig;
  #idp: Promise<IdpClient> | undefined;
  #logoutTokens: LogoutTokenVerifier | undefined;
  #pending = new Map<string, PendingLogin>();
  #mfa = new Map<string, PendingMfa>();

  constructor(core: Core, cfg: OidcConfig) {
    this.#core = core;
    this.#cfg = cfg;
  }

  /** Discovery, cached once it succeeds (a failure is retried by the next sign-in). */
  #client(): Promise<IdpClient> {
    this.#idp ??= discoverIdp(this.#cfg);
    this.#idp.catch(() => {
      this.#idp = undefined;
    });
    return this.#idp;
  }

  /** The IdP authorization URL and the browser binding (a cookie) for `origin`'s console. */
  async start(origin: string): Promise<{ url: string; binding: string }> {
    const { config } = await this.#client();
    const redirectUri = this.#cfg.redirectUri ?? `${origin}/api/auth/oidc/callback`;
    const verifier = oidc.randomPKCECodeVerifier();
    const p: PendingLogin = {
      state: oidc.randomState(),
      verifier,
      nonce: oidc.randomNonce(),
      redirectUri,
      at: this.#core.now(),
    };
    const binding = randomBytes(32).toString('base64url');
    bounded(this.#pending, hash(binding), p, PENDING_MS);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.#cfg.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: p.state,
      nonce: p.nonce,
    });
    return { url: url.href, binding };
  }

  /** Completes the code flow for the callback's query (`search`) and the browser's binding. */
  async callback(search: string, binding: string | undefined, ip: string): Promise<CallbackResult> {
    const p = binding === undefined ? undefined : this.#pending.get(hash(binding));
    if (binding !== undefined) this.#pending.delete(hash(binding));
    if (!p || this.#core.now() - p.at > PENDING_MS) {
      throw failed('No sign-in in progress in this browser (expired, or started elsewhere)');
    }
    const claims = await this.#redeem(p, search);
    const subject = subjectKey(this.#cfg.issuer, claims.sub);
    const roles = await knownRoles(
      this.#core,
      mapRoles(claimValues(claims, this.#cfg.groupsClaim), this.#cfg.roleMap),
    );
    if (roles.length === 0) {
      await this.#refuse(subject, 'no_role', ip);
      throw new IdentityError('IDENTITY_SSO_NO_ROLE', 'Your account is in no group mapped to a role here', {
        status: 403,
      });
    }
    const username = usernameFor(claims);
    if (username === undefined) {
      await this.#refuse(subject, 'invalid_response', ip);
      throw failed('The identity provider sent no usable username');
    }
    const displayName = typeof claims['name'] === 'string' ? claims['name'] : username;
    let user: UserDoc;
    try {
      user = await provisionSsoUser(this.#core, { subject, username, displayName, roles }, ip);
    } catch (err) {
      if (err instanceof IdentityError) await this.#refuse(subject, 'username_taken', ip);
      throw err;
    }
    if (user.status === 'frozen') {
      await this.#refuse(subject, 'frozen', ip);
      throw new IdentityError('IDENTITY_SSO_FROZEN', 'This account is frozen', { status: 403 });
    }
    const sid = typeof claims['sid'] === 'string' ? claims['sid'] : undefined;
    const idpMfa = mfaAsserted(claims, this.#cfg);
    if (requiresMfa(user.roles) && !idpMfa && user.mfa.enrolled) {
      const ticket = randomBytes(32).toString('base64url');
      const pending = { userId: user.id, subject, sid, at: this.#core.now(), tries: 0 };
      bounded(this.#mfa, hash(ticket), pending, MFA_MS);
      return { kind: 'mfa', ticket };
    }
    const mfa = idpMfa ? 'idp' : 'none';
    return { kind: 'session', ...(await this.#session(user, { subject, sid, idpMfa, mfa }, ip)) };
  }

  /** Token request (PKCE verifier, state, nonce checked by openid-client), then ID token ∪ userinfo claims. */
  async #redeem(p: PendingLogin, search: string): Promise<Claims> {
    const { config } = await this.#client();
    const current = new URL(p.redirectUri);
    current.search = search;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: p.verifier,
        expectedState: p.state,
        expectedNonce: p.nonce,
        idTokenExpected: true,
      });
      const id = tokens.claims();
      if (!id) throw new Error('no ID token');
      let info: Record<string, unknown> = {};
      if (config.serverMetadata().userinfo_endpoint !== undefined && !(this.#cfg.groupsClaim in id)) {
        info = await oidc.fetchUserInfo(config, tokens.access_token, id.sub);
      }
      // The ID token wins (amr, acr, sid are its own); groups may come from userinfo only.
      return { ...info, ...id } as Claims;
    } catch (err) {
      log.warn(`OIDC callback refused [reason:${(err as Error).message}]`);
      throw failed('The identity provider response did not validate', err);
    }
  }

  async #refuse(subject: string, reason: SsoRefusal, ip: string): Promise<void> {
    this.#core.throttle.take(ip);
    await this.#core.bus.publish('auth.sso_refused', { subject, reason }, { source: ip });
  }

  async #session(
    user: UserDoc,
    s: { subject: string; sid: string | undefined; idpMfa: boolean; mfa: 'idp' | 'totp' | 'none' },
    ip: string,
  ): Promise<LoginResult> {
    const sso = { subject: s.subject, mfa: s.idpMfa, ...(s.sid === undefined ? {} : { sid: s.sid }) };
    const { token, doc } = await this.#core.sessions.create(user.id, ip, sso);
    await this.#core.bus.publish(
      'auth.sso_signed_in',
      { userId: user.id, subject: s.subject, mfa: s.mfa },
      { actor: user.id, source: ip },
    );
    return {
      token,
      user: toPublic(user),
      csrfToken: doc.csrfToken,
      mustChangePassword: false,
      mfaSetupRequired: s.idpMfa ? false : mfaSetupRequired(user),
    };
  }

  /** The TOTP step after an SSO sign-in the IdP did not assert MFA for. */
  async completeMfa(ticket: string | undefined, code: string, ip: string): Promise<LoginResult> {
    const key = ticket === undefined ? '' : hash(ticket);
    const p = this.#mfa.get(key);
    if (!p || this.#core.now() - p.at > MFA_MS) {
      this.#mfa.delete(key);
      throw failed('The single sign-on expired; sign in again');
    }
    const user = await this.#core.store.getUser(p.userId);
    if (!user || user.status === 'frozen') {
      this.#mfa.delete(key);
      throw new IdentityError('IDENTITY_SSO_FROZEN', 'This account is frozen', { status: 403 });
    }
    const step = verifyTotp(user.totpSecret ?? '', code, {
      nowMs: this.#core.now(),
      lastStep: user.mfa.lastStep,
    });
    if (step === undefined) {
      p.tries += 1;
      if (p.tries >= MFA_TRIES) this.#mfa.delete(key);
      this.#core.throttle.take(ip);
      await this.#core.bus.publish('auth.failed', { username: user.username, reason: 'mfa' }, { source: ip });
      throw new IdentityError('IDENTITY_BAD_MFA_CODE', 'The code is not valid', { status: 401 });
    }
    this.#mfa.delete(key);
    const updated = await this.#core.store.updateUser(user.id, (u) => {
      u.mfa.lastStep = step;
      return u;
    });
    return this.#session(updated, { subject: p.subject, sid: p.sid, idpMfa: false, mfa: 'totp' }, ip);
  }

  /** Back-channel logout: ends every appliance session of the token's `sid` (or, without one, `sub`). */
  async backchannelLogout(token: string, ip: string): Promise<number> {
    const idp = await this.#client();
    this.#logoutTokens ??= new LogoutTokenVerifier(idp, this.#cfg.clientId);
    const claims = await this.#logoutTokens.verify(token, this.#core.now());
    const subject = claims.sub === undefined ? undefined : subjectKey(this.#cfg.issuer, claims.sub);
    const ended = new Map<string, number>();
    for (const s of await this.#core.store.listSessions()) {
      if (!s.sso) continue;
      // By the IdP session when both know it; else every session of the subject (sub-only logout).
      const match =
        claims.sid !== undefined && s.sso.sid !== undefined
          ? s.sso.sid === claims.sid && (subject === undefined || s.sso.subject === subject)
          : subject !== undefined && s.sso.subject === subject;
      if (!match) continue;
      if (await this.#core.sessions.end(s.handle, 'logout', { actor: 'system', ip })) {
        ended.set(s.userId, (ended.get(s.userId) ?? 0) + 1);
      }
    }
    for (const [userId, sessions] of ended) {
      await this.#core.bus.publish(
        'auth.sso_logged_out',
        { userId, sessions },
        { actor: 'system', source: ip },
      );
    }
    return [...ended.values()].reduce((a, b) => a + b, 0);
  }

  /**
   * Ends the session here; for an SSO session returns the IdP's end-session
   * URL (RP-initiated logout) when the IdP has one.
   */
  async logout(handle: string, origin: string, ctx: ChangeContext): Promise<string | undefined> {
    const s = await this.#core.sessions.peek(handle);
    await this.#core.sessions.end(handle, 'logout', ctx);
    if (!s?.sso) return undefined;
    let idp: IdpClient;
    try {
      idp = await this.#client();
    } catch {
      return undefined;
    }
    if (idp.config.serverMetadata().end_session_endpoint === undefined) return undefined;
    const back =
      this.#cfg.redirectUri === undefined ? `${origin}/` : `${new URL(this.#cfg.redirectUri).origin}/`;
    return oidc.buildEndSessionUrl(idp.config, {
      client_id: this.#cfg.clientId,
      post_logout_redirect_uri: back,
    }).href;
  }
}
