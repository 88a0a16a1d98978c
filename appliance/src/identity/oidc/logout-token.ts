import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import { IdentityError } from '../errors.ts';
import type { IdpClient } from './client.ts';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface LogoutClaims {
  sub?: string;
  sid?: string;
}

function invalid(why: string, cause?: unknown): IdentityError {
  return new IdentityError('IDENTITY_SSO_FAILED', `Logout token refused: ${why}`, {
    status: 400,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Verifies a back-channel logout token (OpenID Connect Back-Channel Logout
 * 1.0 §2.6): signed by a key in the IdP's JWKS, our issuer and client as
 * audience, recent, the logout event present, no nonce, `sub` or `sid`, and a
 * `jti` not seen before.
 */
export class LogoutTokenVerifier {
  #jwks: ReturnType<typeof createRemoteJWKSet>;
  #issuer: string;
  #audience: string;
  #seen = new Map<string, number>();

  constructor(idp: IdpClient, audience: string) {
    const meta = idp.config.serverMetadata();
    if (meta.jwks_uri === undefined)
      throw new TypeError('Cannot verify logout tokens: the issuer has no jwks_uri');
    this.#jwks = createRemoteJWKSet(new URL(meta.jwks_uri), idp.fetch ? { [customFetch]: idp.fetch } : {});
    this.#issuer = meta.issuer;
    this.#audience = audience;
  }

  async verify(token: string, now = Date.now()): Promise<LogoutClaims> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.#jwks, {
        issuer: this.#issuer,
        audience: this.#audience,
        maxTokenAge: '5m',
        clockTolerance: 30,
      }));
    } catch (err) {
      throw invalid((err as Error).message, err);
    }
    const events = payload['events'];
    if (events === null || typeof events !== 'object' || !(EVENT in events)) throw invalid('no logout event');
    if ('nonce' in payload) throw invalid('a nonce is not allowed');
    const sub = typeof payload['sub'] === 'string' ? payload['sub'] : undefined;
    const sid = typeof payload['sid'] === 'string' ? payload['sid'] : undefined;
    if (sub === undefined && sid === undefined) throw invalid('neither sub nor sid');
    const jti = payload['jti'];
    if (typeof jti !== 'string') throw invalid('no jti');
    for (const [k, at] of this.#seen) if (now - at > 10 * 60_000) this.#seen.delete(k);
    if (this.#seen.has(jti)) throw invalid('replayed');
    this.#seen.set(jti, now);
    return { ...(sub === undefined ? {} : { sub }), ...(sid === undefined ? {} : { sid }) };
  }
}
