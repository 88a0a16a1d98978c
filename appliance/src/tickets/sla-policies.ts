import type { EventBus } from '../events/index.ts';
import type { DocStore } from '../storage/index.ts';
import { readCalendar, validateCalendar } from './calendar.ts';
import { notFound, TicketsError } from './errors.ts';
import { assertEscalationReferences, type EscalationDirectory } from './sla-references.ts';
import type { SlaPolicy } from './types.ts';

const key = (id: string) => `sla:${id}`;

function check(p: SlaPolicy): void {
  try {
    validateCalendar(p.calendar);
  } catch (err) {
    throw new TicketsError('TICKETS_INVALID_CALENDAR', (err as Error).message, {
      status: 422,
      cause: err,
      details: { policyId: p.id },
    });
  }
}

/** The policy with its calendar in the shared format (policies stored before it keyed days by number). */
function current(p: SlaPolicy): SlaPolicy {
  try {
    return { ...p, calendar: readCalendar(p.calendar) };
  } catch (err) {
    throw new TicketsError('TICKETS_INVALID_CALENDAR', (err as Error).message, {
      status: 422,
      cause: err,
      details: { policyId: p.id },
    });
  }
}

/** SLA policies (targets per priority on a business calendar, escalations on breach). */
export class SlaPolicies {
  #db: DocStore;
  #bus: EventBus;
  #cache = new Map<string, SlaPolicy>();
  #directory: EscalationDirectory | undefined;

  /** With `directory`, saves refuse escalations naming unknown departments or users (TICKETS_UNKNOWN_REFERENCE). */
  constructor(db: DocStore, options: { bus: EventBus; directory?: EscalationDirectory }) {
    this.#db = db;
    this.#bus = options.bus;
    this.#directory = options.directory;
  }

  async save(input: SlaPolicy, actor: { userId: string }): Promise<SlaPolicy> {
    const policy = current(input);
    check(policy);
    if (this.#directory) await assertEscalationReferences(policy, this.#directory);
    const prior = await this.#db.get<SlaPolicy>(key(policy.id));
    await this.#db.put({ _id: key(policy.id), ...(prior ? { _rev: prior._rev } : {}), ...policy });
    this.#cache.set(policy.id, structuredClone(policy));
    await this.#bus.publish('ticket.sla_policy_saved', { policyId: policy.id }, { actor: actor.userId });
    return policy;
  }

  async ensure(policy: SlaPolicy): Promise<SlaPolicy> {
    const prior = await this.#db.get<SlaPolicy>(key(policy.id));
    return prior ? this.get(policy.id) : this.save(policy, { userId: 'system' });
  }

  async get(id: string): Promise<SlaPolicy> {
    const hit = this.#cache.get(id);
    if (hit) return hit;
    const doc = await this.#db.get<SlaPolicy>(key(id));
    if (!doc) throw notFound('sla-policy', id);
    const { _id, _rev, ...stored } = doc;
    const p = current(stored);
    this.#cache.set(id, p);
    return p;
  }

  async list(): Promise<SlaPolicy[]> {
    return (await this.#db.list<SlaPolicy>({ prefix: 'sla:' })).map(({ _id, _rev, ...p }) => current(p));
  }
}
