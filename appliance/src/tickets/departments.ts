import { BadInputError } from '../contracts/index.ts';
import type { EventBus } from '../events/index.ts';
import { type DocStore, KeyedLock } from '../storage/index.ts';
import { notFound, TicketsError } from './errors.ts';
import type { Department, DepartmentMember } from './types.ts';

const key = (id: string) => `dept:${id}`;

/** Departments/groups of engineers, with a persisted round-robin cursor. */
export class Departments {
  #db: DocStore;
  #bus: EventBus;
  #lock = new KeyedLock();

  constructor(db: DocStore, options: { bus: EventBus }) {
    this.#db = db;
    this.#bus = options.bus;
  }

  async save(input: { id: string; name: string; members: DepartmentMember[] }, actor: { userId: string }) {
    if (!/^[a-z0-9][a-z0-9_-]{0,39}$/.test(input.id))
      throw new BadInputError('TICKETS_INVALID_REQUEST', `Invalid department id "${input.id}"`);
    return this.#lock.run(input.id, async () => {
      const prior = await this.#db.get<Department>(key(input.id));
      const dept: Department = { ...input, cursor: prior?.cursor ?? 0 };
      await this.#db.put({ _id: key(dept.id), ...(prior ? { _rev: prior._rev } : {}), ...dept });
      await this.#bus.publish(
        'ticket.department_saved',
        { departmentId: dept.id, members: dept.members.map((m) => m.userId) },
        { actor: actor.userId },
      );
      return dept;
    });
  }

  async get(id: string): Promise<Department> {
    const doc = await this.#db.get<Department>(key(id));
    if (!doc) throw notFound('department', id);
    const { _id, _rev, ...dept } = doc;
    return dept;
  }

  /** Removes the department (callers check what uses it first); TICKETS_NOT_FOUND when absent. */
  async remove(id: string, actor: { userId: string }): Promise<void> {
    await this.#lock.run(id, async () => {
      const doc = await this.#db.get<Department>(key(id));
      if (!doc) throw notFound('department', id);
      await this.#db.remove(doc._id, doc._rev);
      await this.#bus.publish(
        'ticket.department_deleted',
        { departmentId: id, name: doc.name },
        { actor: actor.userId },
      );
    });
  }

  async list(): Promise<Department[]> {
    return (await this.#db.list<Department>({ prefix: 'dept:' })).map(({ _id, _rev, ...d }) => d);
  }

  /** The member's level in any department, for `passed_level` guards. */
  async levelOf(userId: string, departmentId?: string): Promise<string | undefined> {
    const depts = departmentId ? [await this.get(departmentId)] : await this.list();
    for (const d of depts) {
      const m = d.members.find((x) => x.userId === userId);
      if (m?.level) return m.level;
    }
    return undefined;
  }

  /** Next member in rotation; the cursor is stored before returning so a restart never repeats. */
  async nextMember(id: string): Promise<DepartmentMember> {
    return this.#lock.run(id, async () => {
      const doc = await this.#db.get<Department>(key(id));
      if (!doc) throw notFound('department', id);
      if (doc.members.length === 0) {
        throw new TicketsError('TICKETS_EMPTY_GROUP', `Department has no members [id:${id}]`, {
          status: 409,
        });
      }
      const member = doc.members[doc.cursor % doc.members.length]!;
      await this.#db.put({ ...doc, cursor: (doc.cursor + 1) % doc.members.length });
      return member;
    });
  }
}
