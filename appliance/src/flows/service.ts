import type { EventBus } from '../events/index.ts';
import type { DocStore } from '../storage/index.ts';
import { FlowsError } from './errors.ts';
import type { FlowCatalog, FlowDefinition, StoredFlow } from './types.ts';
import { validateFlow } from './validate.ts';

interface FlowDoc extends StoredFlow {
  _id: string;
  _rev?: string;
}

/** Versioned flow storage: every save is a new immutable version plus a `head` pointer; each is an event. */
export class FlowService {
  #store: DocStore;
  #bus: EventBus;
  #catalog: () => FlowCatalog | undefined;
  /** `catalog` names routing's queues and calendars now (undefined: routing absent, not checked). */
  constructor(store: DocStore, options: { bus: EventBus; catalog?: () => FlowCatalog | undefined }) {
    this.#store = store;
    this.#bus = options.bus;
    this.#catalog = options.catalog ?? (() => undefined);
  }

  validate(input: unknown): FlowDefinition {
    return validateFlow(input, this.#catalog());
  }

  /** `seed`: the appliance's own first flow, saved before an admin could configure routing (catalog not checked). */
  async save(
    input: unknown,
    actor: { userId: string; source?: string },
    options: { seed?: boolean } = {},
  ): Promise<StoredFlow> {
    const flow = options.seed ? validateFlow(input) : this.validate(input);
    const head = await this.#store.get<FlowDoc>(`head:${flow.id}`);
    const version = (head?.version ?? 0) + 1;
    const stored: StoredFlow = { ...flow, version, savedAt: new Date().toISOString(), savedBy: actor.userId };
    await this.#store.put({ ...stored, _id: `flow:${flow.id}:${String(version).padStart(6, '0')}` });
    await this.#store.put({ ...stored, _id: `head:${flow.id}`, ...(head ? { _rev: head._rev } : {}) });
    await this.#bus.publish(
      'flow.saved',
      { flowId: flow.id, version },
      { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
    );
    return stored;
  }

  async get(id: string, version?: number): Promise<StoredFlow> {
    const doc = await this.#store.get<FlowDoc>(
      version === undefined ? `head:${id}` : `flow:${id}:${String(version).padStart(6, '0')}`,
    );
    if (!doc) throw new FlowsError('FLOWS_NOT_FOUND', `flow ${id} not found`);
    const { _id, _rev, ...flow } = doc;
    return flow;
  }

  async find(id: string): Promise<StoredFlow | undefined> {
    return this.get(id).catch(() => undefined);
  }

  async list(): Promise<Array<{ id: string; name: string; version: number; savedAt: string }>> {
    const heads = await this.#store.list<FlowDoc>({ prefix: 'head:' });
    return heads.map((h) => ({ id: h.id, name: h.name, version: h.version, savedAt: h.savedAt }));
  }
}

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    'flow.saved': { flowId: string; version: number };
  }
}

declare module '../modules.ts' {
  interface Services {
    flows: FlowService;
  }
}
