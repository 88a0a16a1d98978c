import type { DocStore } from '../storage/index.ts';
import type { Calendar } from './calendar.ts';
import type { AgentProfile, QueueConfig, WorkflowConfig } from './engine-types.ts';
import { type ConfigKind, DEFAULT_REASON_CODES, type SkillConfig } from './types.ts';

type Item = QueueConfig | SkillConfig | WorkflowConfig | Calendar | AgentProfile;

const PREFIX: Record<Exclude<ConfigKind, 'reasons' | 'closed-reply'>, string> = {
  queue: 'queue:',
  skill: 'skill:',
  workflow: 'workflow:',
  calendar: 'calendar:',
  profile: 'profile:',
};

export interface RoutingSnapshot {
  queues: QueueConfig[];
  skills: SkillConfig[];
  workflows: WorkflowConfig[];
  calendars: Calendar[];
  profiles: AgentProfile[];
  reasonCodes: string[];
}

/** Configuration and agent profiles, one document each, in the routing database. */
export class RoutingStore {
  readonly #db: DocStore;
  constructor(db: DocStore) {
    this.#db = db;
  }

  async load(): Promise<RoutingSnapshot> {
    const all = async <T extends object>(kind: keyof typeof PREFIX) =>
      (await this.#db.list<{ value: T }>({ prefix: PREFIX[kind] })).map((d) => d.value);
    const reasons = await this.#db.get<{ value: string[] }>('reasons');
    return {
      queues: await all<QueueConfig>('queue'),
      skills: await all<SkillConfig>('skill'),
      workflows: await all<WorkflowConfig>('workflow'),
      calendars: await all<Calendar>('calendar'),
      profiles: await all<AgentProfile>('profile'),
      reasonCodes: reasons?.value ?? [...DEFAULT_REASON_CODES],
    };
  }

  async put(kind: keyof typeof PREFIX, id: string, value: Item): Promise<void> {
    const _id = PREFIX[kind] + id;
    const cur = await this.#db.get(_id);
    await this.#db.put({ _id, value, ...(cur ? { _rev: cur._rev } : {}) });
  }

  async remove(kind: keyof typeof PREFIX, id: string): Promise<boolean> {
    const cur = await this.#db.get(PREFIX[kind] + id);
    if (!cur) return false;
    await this.#db.remove(cur._id, cur._rev);
    return true;
  }

  /** True once the first-start defaults were seeded (or found unnecessary). */
  async seeded(): Promise<boolean> {
    return (await this.#db.get('seeded')) !== undefined;
  }

  async markSeeded(): Promise<void> {
    if (await this.seeded()) return;
    await this.#db.put({ _id: 'seeded', value: new Date().toISOString() });
  }

  async closedReply(): Promise<{ zh: string; en: string } | undefined> {
    return (await this.#db.get<{ value: { zh: string; en: string } }>('closed-reply'))?.value;
  }

  async putClosedReply(value: { zh: string; en: string }): Promise<void> {
    const cur = await this.#db.get('closed-reply');
    await this.#db.put({ _id: 'closed-reply', value, ...(cur ? { _rev: cur._rev } : {}) });
  }

  async putReasons(codes: string[]): Promise<void> {
    const cur = await this.#db.get('reasons');
    await this.#db.put({ _id: 'reasons', value: codes, ...(cur ? { _rev: cur._rev } : {}) });
  }
}
