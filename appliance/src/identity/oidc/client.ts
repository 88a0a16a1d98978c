import { readFile } from 'node:fs/promises';
import * as oidc from 'openid-client';
import type { OidcConfig } from '../../config/index.ts';
import { IdentityError } from '../errors.ts';
import { caFetch } from './ca-fetch.ts';

export interface IdpClient {
  config: oidc.Configuration;
  /** The fetch the IdP is reached with (private CA aware); undefined = global fetch. */
  fetch: ReturnType<typeof caFetch> | undefined;
}

/**
 * Discovers the issuer (`.well-known/openid-configuration`). An http issuer is
 * accepted only on loopback (config/load.ts checks it); a private CA replaces
 * the system store for every request to the IdP.
 */
export async function discoverIdp(cfg: OidcConfig): Promise<IdpClient> {
  let fetch: IdpClient['fetch'];
  if (cfg.caFile !== undefined) fetch = caFetch(await readFile(cfg.caFile));
  const options: oidc.DiscoveryRequestOptions = {
    timeout: 10,
    ...(fetch ? { [oidc.customFetch]: fetch } : {}),
    ...(cfg.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : {}),
  };
  try {
    const config = await oidc.discovery(
      new URL(cfg.issuer),
      cfg.clientId,
      undefined,
      oidc.ClientSecretBasic(cfg.clientSecret),
      options,
    );
    if (fetch) config[oidc.customFetch] = fetch;
    return { config, fetch };
  } catch (err) {
    throw new IdentityError(
      'IDENTITY_SSO_UNAVAILABLE',
      `Cannot reach the identity provider [issuer:${cfg.issuer}]`,
      {
        status: 502,
        cause: err,
      },
    );
  }
}
