import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import type { Client, Entry } from 'ldapts';
import type { DirectoryConfig } from '../../config/index.ts';

/** Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: transitive group membership in one search. */
export const IN_CHAIN = '1.2.840.113556.1.4.1941';
/** rootDSE supportedCapabilities value of Active Directory (LDAP_CAP_ACTIVE_DIRECTORY_OID). */
const AD_CAPABILITY = '1.2.840.113556.1.4.800';
/** How deep nested groups are followed on a directory without IN_CHAIN (OpenLDAP). */
export const GROUP_DEPTH = 8;
/** ppolicy's "locked until an administrator unlocks" value of pwdAccountLockedTime. */
const ADMIN_LOCK = '000001010000Z';

/** Why the directory could not answer; the sign-in and the sync loop alarm on it. */
export type DirectoryFault = 'unreachable' | 'certificate' | 'service_bind';

export class DirectoryFaultError extends Error {
  override name = 'DirectoryFaultError';
  constructor(
    readonly fault: DirectoryFault,
    message: string,
  ) {
    super(message);
  }
}

/** A user entry as the appliance needs it. */
export interface DirectoryUser {
  dn: string;
  /** The entry's value of the first configured user attribute it has (the local username). */
  name: string;
  displayName: string;
  /** AD userAccountControl ACCOUNTDISABLE (bit 2), OpenLDAP ppolicy admin lock, 389-DS nsAccountLock. */
  disabled: boolean;
  /** Every group DN the user is in, nested ones included. */
  groups: string[];
}

const first = (v: Entry[string] | undefined): string | undefined => {
  const x = Array.isArray(v) ? v[0] : v;
  return x === undefined ? undefined : Buffer.isBuffer(x) ? x.toString('utf8') : String(x);
};
const all = (v: Entry[string] | undefined): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) =>
    Buffer.isBuffer(x) ? x.toString('utf8') : String(x),
  );

/** A DN compared case- and spacing-insensitively (`CN=Tellers, DC=x` = `cn=tellers,dc=x`). */
export function dnKey(dn: string): string {
  return dn
    .trim()
    .replace(/\s*([,=+])\s*/g, '$1')
    .toLowerCase();
}

function isDisabled(e: Entry): boolean {
  const uac = Number(first(e['userAccountControl']) ?? '0');
  if (Number.isFinite(uac) && (uac & 2) !== 0) return true;
  if (all(e['pwdAccountLockedTime']).includes(ADMIN_LOCK)) return true;
  return first(e['nsAccountLock'])?.toLowerCase() === 'true';
}

const TLS_FAULT =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME|certificate|Hostname\/IP does not match/i;

function fault(err: unknown): DirectoryFaultError {
  if (err instanceof DirectoryFaultError) return err;
  const e = err as { code?: string; message?: string; name?: string };
  const text = `${e.code ?? ''} ${e.message ?? String(err)}`;
  if (TLS_FAULT.test(text))
    return new DirectoryFaultError('certificate', `certificate rejected: ${text.trim()}`);
  return new DirectoryFaultError('unreachable', `directory unreachable: ${text.trim()}`);
}

/**
 * The directory over LDAP (ldapts): every connection is TLS (ldaps:// or
 * StartTLS, certificate verified against the configured CA or the system's),
 * bound as the service account for searches; a user's password is checked by
 * a bind as that user and never kept.
 */
export class LdapDirectory {
  #c: DirectoryConfig;
  #ca: Promise<string | undefined>;
  #ad: boolean | undefined;

  constructor(config: DirectoryConfig) {
    this.#c = config;
    this.#ca = config.caFile === undefined ? Promise.resolve(undefined) : readFile(config.caFile, 'utf8');
    this.#ca.catch(() => undefined);
  }

  /** Runs `fn` on one connection bound as the service account; faults become DirectoryFaultError. */
  async session<T>(fn: (s: LdapSession) => Promise<T>): Promise<T> {
    const client = await this.#open();
    try {
      return await fn(new LdapSession(client, this.#c, () => this.#isAd(client)));
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  async #open(): Promise<Client> {
    const { Client, InvalidCredentialsError } = await import('ldapts');
    let ca: string | undefined;
    try {
      ca = await this.#ca;
    } catch (err) {
      throw new DirectoryFaultError('certificate', `cannot read the directory CA file: ${String(err)}`);
    }
    const host = new URL(this.#c.url).hostname.replace(/^\[(.*)\]$/, '$1');
    const tls: ConnectionOptions = {
      ...(ca === undefined ? {} : { ca }),
      servername: host,
      rejectUnauthorized: true,
    };
    const client = new Client({
      url: this.#c.url,
      connectTimeout: 5_000,
      timeout: 10_000,
      ...(this.#c.startTls ? {} : { tlsOptions: tls }),
    });
    try {
      if (this.#c.startTls) await client.startTLS(tls);
    } catch (err) {
      await client.unbind().catch(() => undefined);
      throw fault(err);
    }
    try {
      await client.bind(this.#c.bindDn, this.#c.bindPassword);
    } catch (err) {
      await client.unbind().catch(() => undefined);
      if (err instanceof InvalidCredentialsError) {
        throw new DirectoryFaultError('service_bind', 'the directory refused the service account');
      }
      throw fault(err);
    }
    return client;
  }

  async #isAd(client: Client): Promise<boolean> {
    if (this.#ad !== undefined) return this.#ad;
    const res = await client.search('', {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['supportedCapabilities'],
    });
    const caps = all(res.searchEntries[0]?.['supportedCapabilities']);
    this.#ad = caps.includes(AD_CAPABILITY);
    return this.#ad;
  }
}

const USER_ATTRS = ['cn', 'displayName', 'userAccountControl', 'pwdAccountLockedTime', 'nsAccountLock'];

/** One service-account connection (a sign-in, or a sync pass over every directory user). */
export class LdapSession {
  constructor(
    private readonly client: Client,
    private readonly c: DirectoryConfig,
    private readonly isAd: () => Promise<boolean>,
  ) {}

  async #run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      const { ResultCodeError } = await import('ldapts');
      // An LDAP result code is an answer (no such object, …); anything else means no directory.
      if (err instanceof ResultCodeError) throw err;
      throw fault(err);
    }
  }

  #toUser(e: Entry, groups: string[]): DirectoryUser {
    const name = this.c.userAttributes.map((a) => first(e[a])).find((v) => v !== undefined && v !== '');
    return {
      dn: e.dn,
      name: name ?? first(e['cn']) ?? e.dn,
      displayName: first(e['displayName']) ?? first(e['cn']) ?? name ?? e.dn,
      disabled: isDisabled(e),
      groups,
    };
  }

  /** The one person entry whose user attributes match `login`; undefined when none or several do. */
  async findUser(login: string): Promise<DirectoryUser | undefined> {
    const { escapeFilter } = await import('ldapts');
    const any = this.c.userAttributes.map((a) => `(${a}=${escapeFilter`${login}`})`).join('');
    const res = await this.#run(() =>
      this.client.search(this.c.baseDn, {
        scope: 'sub',
        filter: `(&(objectClass=person)(|${any}))`,
        attributes: [...USER_ATTRS, ...this.c.userAttributes],
        sizeLimit: 2,
      }),
    );
    if (res.searchEntries.length !== 1) return undefined;
    const e = res.searchEntries[0]!;
    return this.#toUser(e, await this.groupsOf(e.dn));
  }

  /** The user entry at `dn`; undefined when it is gone. */
  async readUser(dn: string): Promise<DirectoryUser | undefined> {
    const { NoSuchObjectError } = await import('ldapts');
    try {
      const res = await this.#run(() =>
        this.client.search(dn, {
          scope: 'base',
          filter: '(objectClass=person)',
          attributes: [...USER_ATTRS, ...this.c.userAttributes],
        }),
      );
      const e = res.searchEntries[0];
      return e ? this.#toUser(e, await this.groupsOf(e.dn)) : undefined;
    } catch (err) {
      if (err instanceof NoSuchObjectError) return undefined;
      throw err;
    }
  }

  /**
   * Every group `dn` is in, nested ones included: AD answers that in one
   * search (IN_CHAIN); elsewhere groupOfNames/groupOfUniqueNames `member` links
   * are followed upwards, at most GROUP_DEPTH levels, each group once.
   */
  async groupsOf(dn: string): Promise<string[]> {
    const { escapeFilter } = await import('ldapts');
    if (await this.#run(() => this.isAd())) {
      const res = await this.#run(() =>
        this.client.search(this.c.baseDn, {
          scope: 'sub',
          filter: `(member:${IN_CHAIN}:=${escapeFilter`${dn}`})`,
          attributes: ['cn'],
        }),
      );
      return res.searchEntries.map((e) => e.dn);
    }
    const seen = new Map<string, string>();
    let frontier = [dn];
    for (let depth = 0; depth < GROUP_DEPTH && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const member of frontier) {
        const res = await this.#run(() =>
          this.client.search(this.c.baseDn, {
            scope: 'sub',
            filter: `(|(member=${escapeFilter`${member}`})(uniqueMember=${escapeFilter`${member}`}))`,
            attributes: ['cn'],
          }),
        );
        for (const g of res.searchEntries) {
          const k = dnKey(g.dn);
          if (seen.has(k)) continue;
          seen.set(k, g.dn);
          next.push(g.dn);
        }
      }
      frontier = next;
    }
    return [...seen.values()];
  }

  /** True when `password` binds as `dn` (this connection is then that user's; call it last). */
  async verifyPassword(dn: string, password: string): Promise<boolean> {
    // An empty password is an unauthenticated bind (RFC 4513 §5.1.2): it would "succeed".
    if (password === '') return false;
    const { InvalidCredentialsError } = await import('ldapts');
    try {
      await this.#run(() => this.client.bind(dn, password));
      return true;
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return false;
      throw err;
    }
  }
}
