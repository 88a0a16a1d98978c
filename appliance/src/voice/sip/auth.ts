import {
  challengeHeaders,
  expectedResponse,
  type NonceIssuer,
  parseAuthorization,
  safeEqualHex,
} from './digest.ts';
import type { SourceGuard } from './guard.ts';
import type { SipRequest } from './message.ts';
import { addrUri, header, parseUri } from './message.ts';
import { type SipAccountDoc, SipAccounts } from './registrar.ts';

export type AuthOutcome =
  | { ok: true; account: SipAccountDoc }
  | { ok: false; status: 401 | 403 | 407; challenge?: string[]; blocked: boolean };

/**
 * Digest check shared by REGISTER (401/WWW-Authenticate) and INVITE
 * (407/Proxy-Authenticate). Unknown user and wrong password take the same path
 * and produce byte-identical answers; every failure counts toward the block list.
 * The challenges follow the account's `digestAlgorithms` (named by the To of a
 * REGISTER, the From of an INVITE); an answer in an algorithm the account does
 * not offer is refused like a wrong password.
 */
export async function authenticate(
  req: SipRequest,
  source: string,
  deps: { accounts: SipAccounts; nonces: NonceIssuer; guard: SourceGuard; proxy: boolean },
): Promise<AuthOutcome> {
  const realm = deps.accounts.realm;
  const creds = parseAuthorization(header(req, deps.proxy ? 'proxy-authorization' : 'authorization'));
  const status = deps.proxy ? 407 : 401;
  const challenge = async (stale = false) => {
    const named = parseUri(addrUri(header(req, deps.proxy ? 'from' : 'to')))?.user;
    const user = creds?.username ?? named;
    const account = user ? await deps.accounts.get(user) : undefined;
    return challengeHeaders(realm, deps.nonces.issue(), stale, SipAccounts.algorithmsOf(account));
  };
  if (!creds) return { ok: false, status, challenge: await challenge(), blocked: false };
  const nonce = deps.nonces.check(creds.nonce);
  if (nonce === 'stale') return { ok: false, status, challenge: await challenge(true), blocked: false };
  const account =
    creds.realm === realm && nonce === 'ok' ? await deps.accounts.get(creds.username) : undefined;
  // A dummy HA1 keeps the work (and timing) the same for unknown users.
  const ha1Hex = account
    ? creds.algorithm === 'MD5'
      ? account.ha1Md5
      : account.ha1Sha256
    : '0'.repeat(creds.algorithm === 'MD5' ? 32 : 64);
  const good = safeEqualHex(expectedResponse(creds, req.method, ha1Hex), creds.response);
  const offered = SipAccounts.algorithmsOf(account).includes(creds.algorithm);
  if (account && good && offered) return { ok: true, account };
  const blocked = deps.guard.authFailed(source);
  return { ok: false, status: 403, blocked };
}
