import type { EventBus } from '../events/index.ts';
import type { DocStore } from '../storage/index.ts';
import { notFound } from './errors.ts';
import type { Workflow, WorkflowInput } from './types.ts';
import { validateWorkflow } from './workflow.ts';

const wfId = (id: string, version: number) => `wf:${id}:${String(version).padStart(6, '0')}`;

/** Versioned workflow definitions: publishing never changes a version tickets already use. */
export class WorkflowRegistry {
  #db: DocStore;
  #bus: EventBus;
  #now: () => Date;
  #cache = new Map<string, Workflow>();
  /** Latest version per workflow id; this registry is the only writer of `wf:` docs. */
  #latest = new Map<string, Workflow>();

  constructor(db: DocStore, options: { bus: EventBus; now?: () => Date }) {
    this.#db = db;
    this.#bus = options.bus;
    this.#now = options.now ?? (() => new Date());
  }

  /** Validates and stores the next version of `input.id`; returns it. */
  async publish(input: WorkflowInput, actor: { userId: string }): Promise<Workflow> {
    validateWorkflow(input);
    const latest = await this.latest(input.id).catch(() => undefined);
    const wf: Workflow = {
      ...structuredClone(input),
      version: (latest?.version ?? 0) + 1,
      createdAt: this.#now().toISOString(),
      createdBy: actor.userId,
    };
    await this.#db.create({ _id: wfId(wf.id, wf.version), ...wf });
    this.#latest.set(wf.id, wf);
    await this.#bus.publish(
      'ticket.workflow_published',
      { workflowId: wf.id, version: wf.version },
      { actor: actor.userId },
    );
    return wf;
  }

  /** Publishes `input` as version 1 only when no version exists yet (seed data). */
  async ensure(input: WorkflowInput): Promise<Workflow> {
    return (await this.latest(input.id).catch(() => undefined)) ?? this.publish(input, { userId: 'system' });
  }

  async get(id: string, version: number): Promise<Workflow> {
    const key = wfId(id, version);
    const hit = this.#cache.get(key);
    if (hit) return hit;
    const doc = await this.#db.get<Workflow>(key);
    if (!doc) throw notFound('workflow', `${id}@${version}`);
    const { _id, _rev, ...wf } = doc;
    this.#cache.set(key, wf);
    return wf;
  }

  async latest(id: string): Promise<Workflow> {
    const hit = this.#latest.get(id);
    if (hit) return hit;
    const [doc] = await this.#db.list<Workflow>({ prefix: `wf:${id}:`, descending: true, limit: 1 });
    if (!doc) throw notFound('workflow', id);
    const { _id, _rev, ...wf } = doc;
    // Keep the newest: a publish may have landed while this read was in flight.
    const now = this.#latest.get(id);
    if (!now || now.version < wf.version) this.#latest.set(id, wf);
    return this.#latest.get(id) ?? wf;
  }

  /** The latest version of every workflow. */
  async list(): Promise<Workflow[]> {
    const all = await this.#db.list<Workflow>({ prefix: 'wf:' });
    const out = new Map<string, Workflow>();
    for (const { _id, _rev, ...wf } of all) out.set(wf.id, wf);
    return [...out.values()];
  }
}
