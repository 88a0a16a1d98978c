import { type OutboundProjector, pseudonym } from '../../../sync/src/index.ts';
import type { EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';

const log = createLogger('sync-bridge');

/** The ticket fields the projection reads (the tickets context's `Ticket`). */
interface TicketLike {
  id: string;
  number: string;
  subject: string;
  description: string;
  customerId?: string;
  departmentId?: string;
  assigneeId?: string;
  priority: string;
  workflowId: string;
  workflowVersion: number;
  state: string;
  fields: Record<string, string>;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

/** The customer fields the projection reads (the customers context's `Customer`). */
interface CustomerLike {
  id: string;
  name: string;
  phone?: string;
  email?: string;
  idCard?: string;
  bankCard?: string;
  address?: string;
  vip?: boolean;
  handles?: Array<{ kind: string; value: string }>;
  mergedInto?: string;
  createdAt: string;
  updatedAt: string;
}

/** Where the projection reads tickets and customers from: the stores, not the events. */
export interface RecordSources {
  tickets?: {
    syncSnapshot(id?: string): Promise<TicketLike[]>;
    stateCategory(t: Pick<TicketLike, 'workflowId' | 'workflowVersion' | 'state'>): Promise<string>;
  };
  customers?: { syncSnapshot(id?: string): Promise<CustomerLike[]> };
}

/**
 * Projects tickets and CRM records from the stores, every field the policy
 * names, from creation: events only say which record to project again, and
 * `backfill()` (at start and on every policy change) projects them all, so a
 * branch that joins HQ late or changes policy sends what the policy now allows.
 * The projector shapes each field; unchanged fields are skipped by digest.
 */
export class RecordProjection {
  readonly #sources: RecordSources;
  readonly #projector: OutboundProjector;
  readonly #tokenKey: Uint8Array;

  constructor(options: { sources: RecordSources; projector: OutboundProjector; tokenKey: Uint8Array }) {
    this.#sources = options.sources;
    this.#projector = options.projector;
    this.#tokenKey = options.tokenKey;
  }

  /** Re-projects the records an event names; returns the unsubscribe function. */
  follow(bus: EventBus): () => void {
    return bus.subscribe('*', (e) => {
      const data = (e.data ?? {}) as Record<string, unknown>;
      const jobs: Array<Promise<unknown>> = [];
      if (e.type.startsWith('ticket.') && typeof data['ticketId'] === 'string')
        jobs.push(this.ticket(data['ticketId']));
      if (e.type.startsWith('customer.'))
        for (const k of ['customerId', 'sourceId', 'targetId'])
          if (typeof data[k] === 'string') jobs.push(this.customer(data[k]));
      if (e.type === 'sync.policy_changed') jobs.push(this.backfill());
      if (jobs.length === 0) return;
      return Promise.all(jobs).then(
        () => undefined,
        (err: unknown) => log.error('projection failed', { err, event: e.type }),
      );
    });
  }

  /** Projects every ticket and customer under the current policy; returns how many records it visited. */
  async backfill(): Promise<number> {
    let n = 0;
    for (const t of (await this.#sources.tickets?.syncSnapshot()) ?? []) n += await this.#ticket(t);
    for (const c of (await this.#sources.customers?.syncSnapshot()) ?? []) n += await this.#customer(c);
    return n;
  }

  async ticket(id: string): Promise<void> {
    for (const t of (await this.#sources.tickets?.syncSnapshot(id)) ?? []) await this.#ticket(t);
  }

  async customer(id: string): Promise<void> {
    for (const c of (await this.#sources.customers?.syncSnapshot(id)) ?? []) await this.#customer(c);
  }

  /** A customer's id at HQ: its pseudonym, the same token its tickets carry as `customerId`. */
  crmId(customerId: string): string {
    return pseudonym(this.#tokenKey, customerId);
  }

  async #ticket(t: TicketLike): Promise<number> {
    const customer = t.customerId
      ? (await this.#sources.customers?.syncSnapshot(t.customerId))?.[0]
      : undefined;
    const status = (await this.#sources.tickets?.stateCategory(t)) ?? t.state;
    const record: Record<string, unknown> & { id: string } = {
      id: t.id,
      number: t.number,
      state: t.state,
      status,
      priority: t.priority,
      queue: t.departmentId ?? null,
      category: t.fields['category'] ?? null,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      assignee: t.assigneeId ?? null,
      customerId: t.customerId ?? null,
      customerName: customer?.name ?? null,
      customerPhone: customer?.phone ?? null,
      subject: t.subject,
      description: t.description,
      fields: t.fields,
      tags: t.tags,
    };
    await this.#projector.projectRecord('tickets', record);
    return 1;
  }

  async #customer(c: CustomerLike): Promise<number> {
    const record: Record<string, unknown> & { id: string } = {
      id: this.crmId(c.id),
      name: c.name,
      phone: c.phone ?? null,
      email: c.email ?? null,
      address: c.address ?? null,
      idCard: c.idCard ?? null,
      bankCard: c.bankCard ?? null,
      segment: c.vip ? 'vip' : 'standard',
      handles: (c.handles ?? []).map((h) => `${h.kind}:${h.value}`),
      mergedInto: c.mergedInto ? this.crmId(c.mergedInto) : null,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
    await this.#projector.projectRecord('crm', record);
    return 1;
  }
}
