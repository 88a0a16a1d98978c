import { randomUUID } from 'node:crypto';
import { actorOpts, type TicketCore } from './core.ts';
import type { Departments } from './departments.ts';
import { TicketsError } from './errors.ts';
import type { CustomerNotifier } from './notify.ts';
import { dueAt, resumeClock, startClock } from './sla-clock.ts';
import type { SlaPolicies } from './sla-policies.ts';
import type { Priority, Ticket, TicketActor } from './types.ts';
import { checkTransition } from './workflow.ts';
import type { WorkflowRegistry } from './workflows.ts';

export interface CreateTicketInput {
  subject: string;
  description: string;
  customerId?: string;
  language?: Ticket['language'];
  departmentId?: string;
  assigneeId?: string;
  priority?: Priority;
  workflowId?: string;
  slaPolicyId?: string;
  fields?: Record<string, string>;
  tags?: string[];
  conversationIds?: string[];
  contactIds?: string[];
}

export interface TicketPatch {
  subject?: string;
  description?: string;
  priority?: Priority;
  tags?: string[];
  fields?: Record<string, string>;
}

export interface TicketDeps {
  core: TicketCore;
  workflows: WorkflowRegistry;
  departments: Departments;
  policies: SlaPolicies;
  notifier: CustomerNotifier;
  /** Human numbers `<prefix>-000123`, one sequence per branch. */
  numberPrefix: string;
  defaultWorkflowId: string;
  defaultPolicyId: string;
}

/** Ticket lifecycle: create, edit, move through the workflow, assign. */
export class TicketLifecycle {
  #d: TicketDeps;
  #creating = Promise.resolve();

  constructor(deps: TicketDeps) {
    this.#d = deps;
  }

  async create(input: CreateTicketInput, actor: TicketActor): Promise<Ticket> {
    const { core, workflows, policies } = this.#d;
    const wf = await workflows.latest(input.workflowId ?? this.#d.defaultWorkflowId);
    const policy = await policies.get(input.slaPolicyId ?? this.#d.defaultPolicyId);
    // One number at a time: the counter is a read-modify-write.
    const numbered = this.#creating.then(() => core.repo.nextNumber());
    this.#creating = numbered.then(
      () => undefined,
      () => undefined,
    );
    const n = await numbered;
    const now = core.now();
    const priority = input.priority ?? 'normal';
    const ticket: Ticket = {
      id: randomUUID(),
      number: `${this.#d.numberPrefix}-${String(n).padStart(6, '0')}`,
      subject: input.subject,
      description: input.description,
      ...(input.customerId ? { customerId: input.customerId } : {}),
      language: input.language ?? 'zh-CN',
      ...(input.departmentId ? { departmentId: input.departmentId } : {}),
      priority,
      workflowId: wf.id,
      workflowVersion: wf.version,
      state: wf.initial,
      visited: [wf.initial],
      levelsPassed: [],
      fields: { ...input.fields },
      tags: [...new Set(input.tags ?? [])],
      links: {
        conversationIds: input.conversationIds ?? [],
        contactIds: input.contactIds ?? [],
        mergedFrom: [],
      },
      sla: startClock(policy, priority, now),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    if (input.assigneeId) await this.#assignTo(ticket, input.assigneeId);
    await core.insert(ticket, actor, () =>
      core.bus.publish(
        'ticket.created',
        {
          ticketId: ticket.id,
          number: ticket.number,
          ...(ticket.customerId ? { customerId: ticket.customerId } : {}),
          ...(ticket.assigneeId ? { recipientUserId: ticket.assigneeId } : {}),
        },
        actorOpts(actor),
      ),
    );
    return ticket;
  }

  async update(id: string, patch: TicketPatch, actor: TicketActor): Promise<Ticket> {
    const { ticket } = await this.#d.core.mutate(id, actor, 'updated', (t) => {
      if (patch.subject !== undefined) t.subject = patch.subject;
      if (patch.description !== undefined) t.description = patch.description;
      if (patch.priority !== undefined) t.priority = patch.priority;
      if (patch.tags !== undefined) t.tags = [...new Set(patch.tags)];
      if (patch.fields !== undefined) t.fields = { ...t.fields, ...patch.fields };
    });
    return ticket;
  }

  /** Moves the ticket if the workflow version it started on allows it; `fields` are set first (e.g. `diagnosis`). */
  async transition(
    id: string,
    to: string,
    actor: TicketActor,
    options: { fields?: Record<string, string> } = {},
  ): Promise<Ticket> {
    const { core, workflows, policies } = this.#d;
    let notify = false;
    let label = to;
    const { ticket, before } = await core.mutate(id, actor, 'transitioned', async (t) => {
      const wf = await workflows.get(t.workflowId, t.workflowVersion);
      t.fields = { ...t.fields, ...options.fields };
      const rule = checkTransition(wf, t, to, actor);
      notify = rule.notify === true;
      const from = wf.states.find((s) => s.id === t.state);
      const target = wf.states.find((s) => s.id === to)!;
      label = target.label ?? to;
      t.state = to;
      if (!t.visited.includes(to)) t.visited.push(to);
      if (!t.sla) return;
      const now = core.now();
      const policy = await policies.get(t.sla.policyId);
      if (from?.category === 'pending') t.sla = resumeClock(policy, t.sla, now);
      if (target.category === 'pending') t.sla = { ...t.sla, pausedAt: now.toISOString() };
      if (target.category === 'resolved' || target.category === 'closed') t.sla = { ...t.sla, due: {} };
      if ((from?.category === 'resolved' || from?.category === 'closed') && target.category === 'open') {
        const due = dueAt(policy, t.priority, 'resolution', now);
        t.sla = { ...t.sla, due: due ? { resolution: due } : {} };
      }
    });
    await core.bus.publish(
      'ticket.transitioned',
      {
        ticketId: id,
        number: ticket.number,
        from: before.state,
        to,
        ...(ticket.assigneeId ? { recipientUserId: ticket.assigneeId } : {}),
      },
      actorOpts(actor),
    );
    if (notify) await this.#d.notifier.notify(ticket, to, { actor: actor.userId, label });
    return ticket;
  }

  /** Manual (`userId`) or round-robin within `departmentId` when no user is named. */
  async assign(
    id: string,
    target: { userId?: string; departmentId?: string },
    actor: Pick<TicketActor, 'userId' | 'source'>,
  ) {
    if (!target.userId && !target.departmentId) {
      throw new TicketsError('TICKETS_INVALID_REQUEST', 'Assign needs a user or a department', {
        status: 400,
      });
    }
    const { departments, core } = this.#d;
    if (target.departmentId) await departments.get(target.departmentId);
    const userId = target.userId ?? (await departments.nextMember(target.departmentId!)).userId;
    const { ticket } = await core.mutate(id, actor, 'assigned', async (t) => {
      if (target.departmentId) t.departmentId = target.departmentId;
      await this.#assignTo(t, userId);
    });
    await core.bus.publish(
      'ticket.assigned',
      {
        ticketId: id,
        number: ticket.number,
        recipientUserId: userId,
        ...(ticket.departmentId ? { departmentId: ticket.departmentId } : {}),
      },
      actorOpts(actor),
    );
    return ticket;
  }

  async link(id: string, link: { conversationId?: string; contactId?: string }, actor: TicketActor) {
    const { ticket } = await this.#d.core.mutate(id, actor, 'linked', (t) => {
      const { conversationId: conv, contactId: contact } = link;
      if (conv && !t.links.conversationIds.includes(conv)) t.links.conversationIds.push(conv);
      if (contact && !t.links.contactIds.includes(contact)) t.links.contactIds.push(contact);
    });
    return ticket;
  }

  /** The customer wrote again: the next-response clock starts. */
  async customerMessage(id: string): Promise<void> {
    const { core, policies } = this.#d;
    await core.mutate(id, { userId: 'system' }, 'customer_message', async (t) => {
      if (!t.sla) return;
      const due = dueAt(await policies.get(t.sla.policyId), t.priority, 'next_response', core.now());
      if (due) {
        t.sla = {
          ...t.sla,
          due: { ...t.sla.due, next_response: due },
          breached: t.sla.breached.filter((k) => k !== 'next_response'),
        };
      }
    });
  }

  async #assignTo(t: Ticket, userId: string): Promise<void> {
    t.assigneeId = userId;
    const level = await this.#d.departments.levelOf(userId, t.departmentId).catch(() => undefined);
    if (level && !t.levelsPassed.includes(level)) t.levelsPassed.push(level);
  }
}
