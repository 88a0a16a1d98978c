import type { DocStore, StoredDoc } from '../storage/index.ts';
import { StorageError, walkIndex } from '../storage/index.ts';
import { userNotFound } from './errors.ts';
import type { RoleDoc, SessionDoc, UserDoc } from './types.ts';

const USER = 'user:';
const NAME = 'username:';
const ROLE = 'role:';
const SESSION = 'session:';

export function usernameKey(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

/**
 * Identity documents over one DocStore. Users are cached write-through (this
 * process is their only writer) and updated under a per-user lock so
 * concurrent logins cannot lose a failure count to a revision conflict.
 */
export class IdentityStore {
  readonly docs: DocStore;
  #users = new Map<string, StoredDoc<UserDoc>>();
  #locks = new Map<string, Promise<unknown>>();

  constructor(docs: DocStore) {
    this.docs = docs;
  }

  async getUser(id: string): Promise<StoredDoc<UserDoc> | undefined> {
    const hit = this.#users.get(id);
    if (hit) return hit;
    const doc = await this.docs.get<UserDoc>(USER + id);
    // An update that finished while this read ran is newer: never cache over it.
    const meanwhile = this.#users.get(id);
    if (meanwhile) return meanwhile;
    if (doc) this.#users.set(id, doc);
    return doc;
  }

  async findByUsername(username: string): Promise<StoredDoc<UserDoc> | undefined> {
    const idx = await this.docs.get<{ userId: string }>(NAME + usernameKey(username));
    return idx ? this.getUser(idx.userId) : undefined;
  }

  async listUsers(): Promise<StoredDoc<UserDoc>[]> {
    return this.docs.list<UserDoc>({ prefix: USER });
  }

  /**
   * Users a page at a time in username order, through the `username:` index
   * (an index doc whose user is gone, after a crash mid-create, is skipped).
   * `last` is the username key to resume after.
   */
  async pageUsers(page: {
    limit: number;
    after?: string;
  }): Promise<{ items: StoredDoc<UserDoc>[]; last?: string }> {
    return walkIndex<{ userId: string }, StoredDoc<UserDoc>>(this.docs, {
      prefixes: [NAME],
      limit: page.limit,
      after: page.after,
      load: (entries) => Promise.all(entries.map((e) => this.getUser(e.userId))),
      accept: (u, e) => NAME + usernameKey(u.username) === e._id,
    });
  }

  async hasUsers(): Promise<boolean> {
    return (await this.docs.list({ prefix: USER, limit: 1 })).length > 0;
  }

  /** Claims the username (false when taken) and writes the user. */
  async createUser(user: UserDoc): Promise<boolean> {
    const nameId = NAME + usernameKey(user.username);
    try {
      await this.docs.create({ _id: nameId, userId: user.id });
    } catch (err) {
      if (!(err instanceof StorageError && err.code === 'STORAGE_CONFLICT')) throw err;
      // A crash between the two writes leaves an index doc without its user; reclaim it.
      const idx = await this.docs.get<{ userId: string }>(nameId);
      if (!idx || (await this.getUser(idx.userId))) return false;
      await this.docs.put({ ...idx, userId: user.id });
    }
    const { rev } = await this.docs.create({ ...user, _id: USER + user.id });
    this.#users.set(user.id, { ...user, _id: USER + user.id, _rev: rev });
    return true;
  }

  /** Read-modify-write of one user, serialised per user; `mutate` returns the new doc. */
  async updateUser(id: string, mutate: (u: UserDoc) => UserDoc): Promise<UserDoc> {
    const prev = this.#locks.get(id) ?? Promise.resolve();
    const run = prev
      .catch(() => undefined)
      .then(async () => {
        const cur = await this.getUser(id);
        if (!cur) throw userNotFound(id);
        const { _id, _rev, ...body } = cur;
        const next = mutate(structuredClone(body));
        try {
          const { rev } = await this.docs.put({ ...next, _id, _rev });
          this.#users.set(id, { ...next, _id, _rev: rev });
        } catch (err) {
          this.#users.delete(id);
          throw err;
        }
        return next;
      });
    this.#locks.set(id, run);
    try {
      return await run;
    } finally {
      if (this.#locks.get(id) === run) this.#locks.delete(id);
    }
  }

  getRole(id: string): Promise<StoredDoc<RoleDoc> | undefined> {
    return this.docs.get<RoleDoc>(ROLE + id);
  }

  listRoles(): Promise<StoredDoc<RoleDoc>[]> {
    return this.docs.list<RoleDoc>({ prefix: ROLE });
  }

  async putRole(role: RoleDoc, rev?: string): Promise<void> {
    await this.docs.put(
      rev === undefined ? { ...role, _id: ROLE + role.id } : { ...role, _id: ROLE + role.id, _rev: rev },
    );
  }

  async removeRole(id: string, rev: string): Promise<void> {
    await this.docs.remove(ROLE + id, rev);
  }

  getSession(handle: string): Promise<StoredDoc<SessionDoc> | undefined> {
    return this.docs.get<SessionDoc>(SESSION + handle);
  }

  listSessions(): Promise<StoredDoc<SessionDoc>[]> {
    return this.docs.list<SessionDoc>({ prefix: SESSION });
  }

  async putSession(doc: SessionDoc, rev?: string): Promise<string> {
    const id = SESSION + doc.handle;
    const res = await this.docs.put(rev === undefined ? { ...doc, _id: id } : { ...doc, _id: id, _rev: rev });
    return res.rev;
  }

  /** Deletes a session document if present; a concurrent delete is not an error. */
  async removeSession(handle: string): Promise<void> {
    const cur = await this.getSession(handle);
    if (!cur) return;
    await this.docs.remove(cur._id, cur._rev).catch((err: unknown) => {
      if (!(err instanceof StorageError && err.code === 'STORAGE_CONFLICT')) throw err;
    });
  }
}
