import { createHash, randomUUID } from 'node:crypto';
import type { DirectoryConfig } from '../../config/index.ts';
import { createLogger } from '../../logging/index.ts';
import type { Core, DirectorySignIn, DirectoryVerdict } from '../core.ts';
import { IdentityError } from '../errors.ts';
import { isBuiltinRole } from '../permissions.ts';
import { publishOpts } from '../sessions.ts';
import type { ChangeContext, UserDoc } from '../types.ts';
import { freeze } from '../users.ts';
import {
  type DirectoryFault,
  DirectoryFaultError,
  type DirectoryUser,
  dnKey,
  LdapDirectory,
  type LdapSession,
} from './ldap.ts';
import type { DirectoryStatus, GroupMapping, GroupMappingDoc, RevokeWhy } from './types.ts';

const log = createLogger('directory');
const MAPPING = 'dirmap:';
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;
const DN = /^\s*[A-Za-z][A-Za-z0-9-]*\s*=\s*[^,=]+(\s*,\s*[A-Za-z][A-Za-z0-9-]*\s*=\s*[^,=]+)*\s*$/;

const ALARMS: Record<DirectoryFault, string> = {
  unreachable: 'identity.directory_unreachable',
  certificate: 'identity.directory_certificate_rejected',
  service_bind: 'identity.directory_bind_refused',
};

function unavailable(): IdentityError {
  return new IdentityError(
    'IDENTITY_DIRECTORY_UNAVAILABLE',
    'The directory cannot be reached; directory accounts cannot sign in now',
    { status: 503 },
  );
}

const toMapping = (d: GroupMappingDoc): GroupMapping => ({
  id: d.id,
  groupDn: d.groupDn,
  role: d.role,
  createdAt: d.createdAt,
  createdBy: d.createdBy,
});

/**
 * Directory sign-in and the directory's hold on its accounts: sign-in against
 * LDAP/AD with roles from mapped groups (provisioning the account on first
 * sign-in), and `sync()`, which freezes every directory account that is gone,
 * disabled or in no mapped group any more. An unreachable directory freezes
 * no one: sessions continue, and new directory sign-ins get
 * IDENTITY_DIRECTORY_UNAVAILABLE while local accounts still sign in (audited
 * as break-glass).
 */
export class DirectoryService implements DirectorySignIn {
  readonly config: DirectoryConfig | undefined;
  #core: Core;
  #ldap: LdapDirectory | undefined;
  #alarm: (a: { alarm: string; severity: 'warning' | 'critical'; detail: string }) => void;
  #fault: DirectoryFault | undefined;
  #reachable: boolean | null = null;
  #faultText: string | undefined;
  #lastSyncAt: string | undefined;

  constructor(
    core: Core,
    options: {
      config: DirectoryConfig | undefined;
      alarm: (a: { alarm: string; severity: 'warning' | 'critical'; detail: string }) => void;
    },
  ) {
    this.#core = core;
    this.config = options.config;
    this.#ldap = options.config ? new LdapDirectory(options.config) : undefined;
    this.#alarm = options.alarm;
  }

  get enabled(): boolean {
    return this.config !== undefined;
  }

  unreachable(): boolean {
    return this.#reachable === false;
  }

  async status(): Promise<DirectoryStatus> {
    const users = (await this.#core.store.listUsers()).filter((u) => u.source === 'directory').length;
    return {
      configured: this.config !== undefined,
      ...(this.config ? { url: this.config.url, syncSeconds: this.config.syncSeconds } : {}),
      reachable: this.#reachable,
      ...(this.#faultText === undefined ? {} : { fault: this.#faultText }),
      ...(this.#lastSyncAt === undefined ? {} : { lastSyncAt: this.#lastSyncAt }),
      users,
    };
  }

  /** One service-account connection; a fault marks the directory down and alarms once per outage. */
  async #session<T>(fn: (s: LdapSession) => Promise<T>): Promise<T> {
    if (!this.#ldap) throw unavailable();
    try {
      const out = await this.#ldap.session(fn);
      this.#up();
      return out;
    } catch (err) {
      if (err instanceof IdentityError) throw err;
      const f =
        err instanceof DirectoryFaultError
          ? err
          : new DirectoryFaultError(
              'unreachable',
              `directory error: ${(err as Error).message ?? String(err)}`,
            );
      this.#down(f);
      throw unavailable();
    }
  }

  #up(): void {
    if (this.#reachable === false) log.info('directory reachable again');
    this.#reachable = true;
    this.#fault = undefined;
    this.#faultText = undefined;
  }

  #down(f: DirectoryFaultError): void {
    this.#reachable = false;
    this.#faultText = f.message;
    if (this.#fault === f.fault) return;
    this.#fault = f.fault;
    log.warn(`directory fault [fault:${f.fault}]: ${f.message}`);
    this.#alarm({ alarm: ALARMS[f.fault], severity: 'critical', detail: f.message });
  }

  // ── sign-in ────────────────────────────────────────────────────────────

  async signIn(username: string, password: string, ip: string): Promise<DirectoryVerdict> {
    const found = await this.#session(async (s) => {
      const entry = await s.findUser(username);
      if (!entry) return { entry: undefined, ok: false };
      // Read everything first: the bind below makes the connection the user's.
      const ok = !entry.disabled && (await s.verifyPassword(entry.dn, password));
      return { entry, ok };
    });
    const { entry } = found;
    if (!entry) return { kind: 'bad_credentials' };
    const known = await this.#localFor(entry);
    if (known === 'conflict') {
      log.warn(`directory name belongs to a local account; refused [name:${entry.name}]`);
      return { kind: 'bad_credentials' };
    }
    if (entry.disabled) {
      if (known) await this.#revoke(known, 'disabled', { ip });
      return { kind: 'bad_credentials', ...(known ? { user: known } : {}) };
    }
    if (!found.ok) return { kind: 'bad_credentials', ...(known ? { user: known } : {}) };
    const roles = await this.#rolesFor(entry);
    if (roles.length === 0) {
      if (known) await this.#revoke(known, 'unmapped', { ip });
      return { kind: 'no_role' };
    }
    if (!USERNAME.test(entry.name)) {
      log.warn(`directory name is not a valid username; refused [name:${entry.name}]`);
      return { kind: 'bad_credentials' };
    }
    const user = known ? await this.#refresh(known, entry, roles) : await this.#provision(entry, roles, ip);
    return { kind: 'ok', user };
  }

  /** The directory account of this entry here, undefined if none yet, 'conflict' if the name is a local user's. */
  async #localFor(entry: DirectoryUser): Promise<UserDoc | undefined | 'conflict'> {
    const byName = await this.#core.store.findByUsername(entry.name);
    if (byName) {
      if (byName.source !== 'directory') return 'conflict';
      return byName;
    }
    const key = dnKey(entry.dn);
    return (await this.#core.store.listUsers()).find(
      (u) => u.source === 'directory' && dnKey(u.dn ?? '') === key,
    );
  }

  async #provision(entry: DirectoryUser, roles: string[], ip: string): Promise<UserDoc> {
    const at = new Date(this.#core.now()).toISOString();
    const user: UserDoc = {
      type: 'user',
      id: randomUUID(),
      username: entry.name,
      displayName: entry.displayName,
      roles,
      status: 'active',
      source: 'directory',
      dn: entry.dn,
      passwordHash: '',
      mustChangePassword: false,
      mfa: { enrolled: false },
      failedLogins: 0,
      createdAt: at,
      updatedAt: at,
    };
    if (!(await this.#core.store.createUser(user))) {
      // Two first sign-ins at once: the other one provisioned it.
      const other = await this.#core.store.findByUsername(entry.name);
      if (other?.source === 'directory') return other;
      throw new IdentityError('IDENTITY_USERNAME_TAKEN', 'Username is taken', { status: 409 });
    }
    await this.#core.bus.publish(
      'directory.user_provisioned',
      { userId: user.id, username: user.username, dn: entry.dn, roles },
      { actor: 'system', source: ip },
    );
    log.info(`directory account provisioned [user:${user.username}]`);
    return user;
  }

  /** Roles, DN and name follow the directory at every sign-in and sync. */
  async #refresh(user: UserDoc, entry: DirectoryUser, roles: string[]): Promise<UserDoc> {
    const same =
      user.dn === entry.dn &&
      user.displayName === entry.displayName &&
      user.roles.length === roles.length &&
      roles.every((r) => user.roles.includes(r));
    if (same) return user;
    const next = await this.#core.store.updateUser(user.id, (u) => {
      u.dn = entry.dn;
      u.displayName = entry.displayName;
      u.roles = roles;
      u.updatedAt = new Date(this.#core.now()).toISOString();
      return u;
    });
    await this.#core.bus.publish(
      'user.updated',
      { userId: user.id, fields: ['roles', 'dn', 'displayName'] },
      { actor: 'system' },
    );
    return next;
  }

  async #rolesFor(entry: DirectoryUser): Promise<string[]> {
    const groups = new Set(entry.groups.map(dnKey));
    const custom = await this.#core.customRoles();
    const roles = new Set<string>();
    for (const m of await this.#mappingDocs()) {
      if (groups.has(dnKey(m.groupDn)) && (isBuiltinRole(m.role) || custom.has(m.role))) roles.add(m.role);
    }
    return [...roles].sort();
  }

  async #revoke(user: UserDoc, why: RevokeWhy, ctx: ChangeContext): Promise<void> {
    if (user.status === 'frozen') return;
    await freeze(this.#core, user.id, {
      actor: 'system',
      reason: 'directory',
      ...(ctx.ip ? { ip: ctx.ip } : {}),
    });
    await this.#core.bus.publish(
      'directory.user_revoked',
      { userId: user.id, username: user.username, dn: user.dn ?? '', why },
      publishOpts({ actor: 'system', ...(ctx.ip ? { ip: ctx.ip } : {}) }),
    );
    log.info(`directory account frozen [user:${user.username}, why:${why}]`);
  }

  // ── sync ───────────────────────────────────────────────────────────────

  /**
   * Re-reads every active directory account: gone, disabled or in no mapped
   * group → frozen at once (sessions and sockets end); roles follow the groups.
   * An unreachable directory freezes no one (the fault is alarmed).
   */
  async sync(): Promise<{ checked: number; frozen: number }> {
    const users = (await this.#core.store.listUsers()).filter(
      (u) => u.source === 'directory' && u.status === 'active' && u.dn !== undefined,
    );
    let frozen = 0;
    const verdicts = await this.#session(async (s) => {
      const out: Array<{ user: UserDoc; entry: DirectoryUser | undefined }> = [];
      if (users.length === 0) await s.groupsOf(this.config?.bindDn ?? '');
      for (const user of users) out.push({ user, entry: await s.readUser(user.dn ?? '') });
      return out;
    });
    for (const { user, entry } of verdicts) {
      if (!entry) {
        await this.#revoke(user, 'removed', {});
        frozen++;
      } else if (entry.disabled) {
        await this.#revoke(user, 'disabled', {});
        frozen++;
      } else {
        const roles = await this.#rolesFor(entry);
        if (roles.length === 0) {
          await this.#revoke(user, 'unmapped', {});
          frozen++;
        } else await this.#refresh(user, { ...entry, name: user.username }, roles);
      }
    }
    this.#lastSyncAt = new Date(this.#core.now()).toISOString();
    return { checked: users.length, frozen };
  }

  // ── group → role mappings ─────────────────────────────────────────────

  async #mappingDocs(): Promise<GroupMappingDoc[]> {
    return this.#core.store.docs.list<GroupMappingDoc>({ prefix: MAPPING });
  }

  async listMappings(): Promise<GroupMapping[]> {
    return (await this.#mappingDocs())
      .map(toMapping)
      .sort((a, b) => a.groupDn.localeCompare(b.groupDn) || a.role.localeCompare(b.role));
  }

  /** Adds (idempotently) group → role; the role must exist. */
  async addMapping(input: { groupDn: string; role: string }, ctx: ChangeContext): Promise<GroupMapping> {
    const groupDn = input.groupDn.trim();
    if (groupDn.length > 1024 || !DN.test(groupDn)) {
      throw new IdentityError(
        'IDENTITY_DIRECTORY_INVALID_GROUP',
        'Not a group DN (e.g. cn=Tellers,ou=Groups,dc=bank,dc=cn)',
        {
          status: 400,
        },
      );
    }
    const custom = await this.#core.customRoles();
    if (!isBuiltinRole(input.role) && !custom.has(input.role)) {
      throw new IdentityError('IDENTITY_ROLE_NOT_FOUND', `Unknown roles: ${input.role}`, {
        status: 400,
        details: { unknown: [input.role] },
      });
    }
    const id = createHash('sha256')
      .update(`${dnKey(groupDn)}\n${input.role}`)
      .digest('base64url')
      .slice(0, 22);
    const existing = await this.#core.store.docs.get<GroupMappingDoc>(MAPPING + id);
    if (existing) return toMapping(existing);
    const doc: GroupMappingDoc = {
      type: 'directory_mapping',
      id,
      groupDn,
      role: input.role,
      createdAt: new Date(this.#core.now()).toISOString(),
      createdBy: ctx.actor ?? 'system',
    };
    await this.#core.store.docs.put({ ...doc, _id: MAPPING + id });
    await this.#core.bus.publish(
      'directory.mapping_added',
      { mappingId: id, groupDn, role: doc.role },
      publishOpts(ctx),
    );
    return toMapping(doc);
  }

  /** Removes a mapping; members who had a role only through it are frozen at the next sync. */
  async removeMapping(id: string, ctx: ChangeContext): Promise<boolean> {
    const doc = await this.#core.store.docs.get<GroupMappingDoc>(MAPPING + id);
    if (!doc) return false;
    await this.#core.store.docs.remove(doc._id, doc._rev);
    await this.#core.bus.publish(
      'directory.mapping_removed',
      { mappingId: id, groupDn: doc.groupDn, role: doc.role },
      publishOpts(ctx),
    );
    return true;
  }
}
