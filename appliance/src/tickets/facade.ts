import { BadInputError } from '../contracts/index.ts';
import type { EventBus } from '../events/index.ts';
import type { DocStore } from '../storage/index.ts';
import { TicketCore } from './core.ts';
import { Departments } from './departments.ts';
import { listingPrefix } from './list-index.ts';
import { TicketMerger } from './merge.ts';
import { TicketNotes } from './notes.ts';
import { CustomerNotifier } from './notify.ts';
import { DEFAULT_SLA_POLICY, DEFAULT_WORKFLOW } from './seed.ts';
import { type CreateTicketInput, TicketLifecycle } from './service.ts';
import { SlaChecker } from './sla-checker.ts';
import { SlaPolicies } from './sla-policies.ts';
import { TicketRepo } from './store.ts';
import type {
  AttachmentMeta,
  CustomerReplier,
  HistoryEntry,
  Ticket,
  TicketActor,
  TicketNote,
  Workflow,
} from './types.ts';
import { WorkflowRegistry } from './workflows.ts';

export interface TicketServiceOptions {
  bus: EventBus;
  /** The encrypting store for tickets, notes, attachments and history. */
  tickets: DocStore;
  /** Plain store for definitions: workflows, departments, SLA policies. */
  definitions: DocStore;
  /** Looked up at each use: the conversations service may arrive after tickets. */
  replier?: () => CustomerReplier | undefined;
  /** Audits reads of tickets (they carry personal data). */
  recordRead?: (actor: TicketActor, ticketId: string) => Promise<void>;
  now?: () => Date;
  numberPrefix?: string;
  maxAttachmentBytes?: number;
  /** Whether a user exists (identity): SLA escalations naming an unknown one are refused; absent = not checked. */
  userExists?: (userId: string) => Promise<boolean>;
}

export interface TicketFilter {
  state?: string;
  assigneeId?: string;
  departmentId?: string;
  customerId?: string;
  contactId?: string;
}

export interface TicketView {
  ticket: Ticket;
  notes: TicketNote[];
  attachments: AttachmentMeta[];
  history: HistoryEntry[];
  workflow: Workflow;
}

function matches(t: Ticket, filter: TicketFilter): boolean {
  return (
    (!filter.state || t.state === filter.state) &&
    (!filter.assigneeId || t.assigneeId === filter.assigneeId) &&
    (!filter.departmentId || t.departmentId === filter.departmentId) &&
    (!filter.customerId || t.customerId === filter.customerId) &&
    (!filter.contactId || t.links.contactIds.includes(filter.contactId))
  );
}

/** The tickets context: one object to wire, with its parts as fields. */
export class TicketService {
  readonly workflows: WorkflowRegistry;
  readonly departments: Departments;
  readonly policies: SlaPolicies;
  readonly lifecycle: TicketLifecycle;
  readonly notes: TicketNotes;
  readonly merger: TicketMerger;
  readonly sla: SlaChecker;
  #core: TicketCore;
  #recordRead: NonNullable<TicketServiceOptions['recordRead']>;
  #replier: () => CustomerReplier | undefined;

  constructor(options: TicketServiceOptions) {
    const { bus } = options;
    const now = options.now ?? (() => new Date());
    this.#core = new TicketCore(new TicketRepo(options.tickets), { bus, now });
    this.#recordRead = options.recordRead ?? (async () => undefined);
    this.workflows = new WorkflowRegistry(options.definitions, { bus, now });
    this.departments = new Departments(options.definitions, { bus });
    const departments = this.departments;
    this.policies = new SlaPolicies(options.definitions, {
      bus,
      directory: {
        departmentExists: (id) =>
          departments.get(id).then(
            () => true,
            () => false,
          ),
        ...(options.userExists ? { userExists: options.userExists } : {}),
      },
    });
    this.#replier = options.replier ?? (() => undefined);
    const notifier = new CustomerNotifier({ replier: this.#replier, bus });
    this.lifecycle = new TicketLifecycle({
      core: this.#core,
      workflows: this.workflows,
      departments: this.departments,
      policies: this.policies,
      notifier,
      numberPrefix: options.numberPrefix ?? 'BR',
      defaultWorkflowId: DEFAULT_WORKFLOW.id,
      defaultPolicyId: DEFAULT_SLA_POLICY.id,
    });
    this.notes = new TicketNotes(this.#core, {
      notifier,
      maxAttachmentBytes: options.maxAttachmentBytes ?? 512 * 1024,
    });
    this.merger = new TicketMerger(this.#core, { lifecycle: this.lifecycle, workflows: this.workflows });
    this.sla = new SlaChecker(this.#core, { policies: this.policies, lifecycle: this.lifecycle });
  }

  /** Seeds the default workflow and SLA policy on first start. */
  async seed(): Promise<void> {
    await this.workflows.ensure(DEFAULT_WORKFLOW);
    await this.policies.ensure(DEFAULT_SLA_POLICY);
  }

  /** A ticket with its description (personal data): the read is audited. */
  async get(id: string, actor: TicketActor): Promise<Ticket> {
    const t = await this.#core.load(id);
    await this.#recordRead(actor, id);
    return t;
  }

  /** Everything the detail page shows; one audited read. */
  async view(id: string, actor: TicketActor): Promise<TicketView> {
    const ticket = await this.get(id, actor);
    const repo = this.#core.repo;
    return {
      ticket,
      notes: await repo.notes(id),
      attachments: await repo.attachments(id),
      history: await repo.history(id),
      workflow: await this.workflows.get(ticket.workflowId, ticket.workflowVersion),
    };
  }

  history(id: string): Promise<HistoryEntry[]> {
    return this.#core.repo.history(id);
  }

  /**
   * Tickets in full (description included) for the HQ projection, which
   * shapes every field by the residency policy before anything leaves; not a
   * user read. One ticket when `id` is given (none if it does not exist).
   */
  async syncSnapshot(id?: string): Promise<Ticket[]> {
    if (id === undefined) return this.#core.repo.tickets();
    const one = await this.#core.repo.ticket(id);
    return one ? [one.ticket] : [];
  }

  /** The state category (`new`, `open`, …) of a ticket's state in its workflow version. */
  async stateCategory(ticket: Pick<Ticket, 'workflowId' | 'workflowVersion' | 'state'>): Promise<string> {
    const wf = await this.workflows.get(ticket.workflowId, ticket.workflowVersion).catch(() => undefined);
    return wf?.states.find((s) => s.id === ticket.state)?.category ?? ticket.state;
  }

  /**
   * Every matching ticket, newest first, for in-process readers (topic mining,
   * agent assist); descriptions left out. HTTP serves `page()` instead.
   */
  async list(filter: TicketFilter = {}): Promise<Array<Omit<Ticket, 'description'>>> {
    const all = await this.#core.repo.tickets();
    return all
      .filter((t) => matches(t, filter))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.number.localeCompare(a.number))
      .map(({ description: _d, ...rest }) => rest);
  }

  /**
   * One page of the list, newest first (createdAt, then number), read through
   * the list index: a state or customer filter walks only its own listing, so
   * a page costs its size, not the total. Other filters are checked on the
   * walked tickets. `last` is the index key to resume after, absent at the end.
   */
  async page(
    filter: TicketFilter,
    options: { limit: number; after?: string },
  ): Promise<{ tickets: Array<Omit<Ticket, 'description'>>; last?: string }> {
    if (options.after !== undefined && !options.after.startsWith(listingPrefix(filter))) {
      throw new BadInputError('HTTP_VALIDATION', 'Cannot read cursor: not one this listing gave out', {
        details: { issues: [{ path: 'cursor', code: 'bad_cursor' }] },
      });
    }
    const res = await this.#core.repo.page(filter, { ...options, accept: (t) => matches(t, filter) });
    return {
      tickets: res.tickets.map(({ description: _d, ...rest }) => rest),
      ...(res.last === undefined ? {} : { last: res.last }),
    };
  }

  /** Adds list-index entries for tickets stored before the index existed (resumable; once). */
  backfillIndex(): Promise<number> {
    return this.#core.repo.backfillIndex();
  }

  /** A ticket made from a live contact: customer, conversation and language come from the contact when known. */
  async createFromContact(
    contactId: string,
    input: Omit<CreateTicketInput, 'contactIds' | 'conversationIds' | 'customerId' | 'language'>,
    actor: TicketActor,
  ): Promise<Ticket> {
    const contact = await this.#replier()?.getContact?.(contactId);
    const lang = contact?.attributes.language;
    return this.lifecycle.create(
      {
        ...input,
        contactIds: [contactId],
        ...(contact ? { customerId: contact.customerId, conversationIds: [contact.conversationId] } : {}),
        ...(typeof lang === 'string'
          ? { language: lang.toLowerCase().startsWith('en') ? 'en' : 'zh-CN' }
          : {}),
      },
      actor,
    );
  }

  async close(): Promise<void> {
    await this.sla.close();
  }
}
