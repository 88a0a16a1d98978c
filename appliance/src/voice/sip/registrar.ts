import type { DocStore } from '../../storage/index.ts';
import { assertDigestAlgorithms, DEFAULT_DIGEST, type DigestAlgorithm, ha1 } from './digest.ts';

/** A desk phone / softphone account. Only HA1 digests are kept (sealed by the store). */
export interface SipAccountDoc {
  _id: string;
  _rev?: string;
  username: string;
  /** Branchline user the phone belongs to (an agent), if any. */
  userId?: string;
  ha1Md5: string;
  ha1Sha256: string;
  /**
   * Challenges offered, most preferred first; an answer with another algorithm is
   * refused. Absent = DEFAULT_DIGEST (MD5). ['SHA-256'] requires SHA-256.
   */
  digestAlgorithms?: DigestAlgorithm[];
  /** Outbound policy: dial-out allowed for this account, to these prefixes. */
  allowOutbound: boolean;
  maxConcurrentCalls: number;
  /**
   * Media encryption (SDES-SRTP, keys only over SIP TLS): `required` refuses plain RTP
   * both ways (488), `optional` uses SRTP when the phone offers or accepts it, `off`
   * plain RTP. Absent = 'optional'.
   */
  srtp?: SrtpPolicy;
  createdAt: string;
}

export type SrtpPolicy = 'required' | 'optional' | 'off';
export const SRTP_POLICIES: readonly SrtpPolicy[] = ['required', 'optional', 'off'];

/** Sealed fields of the `sip` store: phone HA1s and outbound trunk passwords (sip/trunks.ts). */
export const SIP_ACCOUNT_SEALED = ['ha1Md5', 'ha1Sha256', 'password'] as const;

export interface Binding {
  username: string;
  contact: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
  expiresAt: number;
}

export class SipAccounts {
  #store: DocStore;
  #realm: string;
  #bindings = new Map<string, Binding>();
  constructor(store: DocStore, options: { realm: string }) {
    this.#store = store;
    this.#realm = options.realm;
  }

  get realm(): string {
    return this.#realm;
  }

  async create(input: {
    username: string;
    password: string;
    userId?: string;
    allowOutbound?: boolean;
    maxConcurrentCalls?: number;
    digestAlgorithms?: DigestAlgorithm[];
    srtp?: SrtpPolicy;
  }): Promise<SipAccountDoc> {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(input.username))
      throw new RangeError('SIP username must be 1–64 of [A-Za-z0-9._-]');
    if (input.password.length < 12) throw new RangeError('SIP password must be at least 12 characters');
    if (input.digestAlgorithms) assertDigestAlgorithms(input.digestAlgorithms);
    const doc: SipAccountDoc = {
      _id: `sipacct:${input.username}`,
      username: input.username,
      ha1Md5: ha1('MD5', input.username, this.#realm, input.password),
      ha1Sha256: ha1('SHA-256', input.username, this.#realm, input.password),
      allowOutbound: input.allowOutbound ?? false,
      maxConcurrentCalls: input.maxConcurrentCalls ?? 2,
      createdAt: new Date().toISOString(),
      ...(input.userId ? { userId: input.userId } : {}),
      ...(input.digestAlgorithms ? { digestAlgorithms: [...input.digestAlgorithms] } : {}),
      ...(input.srtp ? { srtp: input.srtp } : {}),
    };
    await this.#store.put(doc as never);
    return doc;
  }

  async get(username: string): Promise<SipAccountDoc | undefined> {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(username)) return undefined;
    return (await this.#store.get<SipAccountDoc>(`sipacct:${username}`)) ?? undefined;
  }

  /** The challenges an account (or, for an unknown name, any account) is offered. */
  static algorithmsOf(account: SipAccountDoc | undefined): readonly DigestAlgorithm[] {
    return account?.digestAlgorithms ?? DEFAULT_DIGEST;
  }

  async ha1For(username: string, algorithm: DigestAlgorithm): Promise<string | undefined> {
    const acct = await this.get(username);
    if (!acct) return undefined;
    return algorithm === 'MD5' ? acct.ha1Md5 : acct.ha1Sha256;
  }

  bind(b: Binding): void {
    if (b.expiresAt <= Date.now()) this.#bindings.delete(b.username);
    else this.#bindings.set(b.username, b);
  }

  binding(username: string): Binding | undefined {
    const b = this.#bindings.get(username);
    if (b && b.expiresAt > Date.now()) return b;
    return undefined;
  }

  /** Registered account bound to a Branchline user (the agent's desk phone). */
  bindingForUser(userId: string, accounts: SipAccountDoc[]): Binding | undefined {
    for (const a of accounts) if (a.userId === userId) return this.binding(a.username);
    return undefined;
  }

  async list(): Promise<SipAccountDoc[]> {
    return (await this.#store.list<SipAccountDoc>({ prefix: 'sipacct:' })) as SipAccountDoc[];
  }

  /** Changes an account's owner, policy or password (a new password replaces both digests). */
  async update(
    username: string,
    patch: {
      userId?: string | null;
      password?: string;
      allowOutbound?: boolean;
      maxConcurrentCalls?: number;
      srtp?: SrtpPolicy;
    },
  ): Promise<SipAccountDoc | undefined> {
    const doc = await this.get(username);
    if (!doc) return undefined;
    if (patch.password !== undefined && patch.password.length < 12)
      throw new RangeError('SIP password must be at least 12 characters');
    const { userId: _old, ...rest } = doc;
    const owner = patch.userId === undefined ? doc.userId : (patch.userId ?? undefined);
    const next: SipAccountDoc = {
      ...rest,
      ...(owner ? { userId: owner } : {}),
      ...(patch.allowOutbound !== undefined ? { allowOutbound: patch.allowOutbound } : {}),
      ...(patch.maxConcurrentCalls !== undefined ? { maxConcurrentCalls: patch.maxConcurrentCalls } : {}),
      ...(patch.srtp !== undefined ? { srtp: patch.srtp } : {}),
      ...(patch.password !== undefined
        ? {
            ha1Md5: ha1('MD5', username, this.#realm, patch.password),
            ha1Sha256: ha1('SHA-256', username, this.#realm, patch.password),
          }
        : {}),
    };
    await this.#store.put(next as never);
    return next;
  }

  /** Deletes an account and forgets its registration; false when there was none. */
  async remove(username: string): Promise<boolean> {
    const doc = await this.get(username);
    if (!doc?._rev) return false;
    await this.#store.remove(doc._id, doc._rev);
    this.#bindings.delete(username);
    return true;
  }
}
