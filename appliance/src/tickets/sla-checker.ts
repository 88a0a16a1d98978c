import { SupervisedLoop } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { TicketCore } from './core.ts';
import type { TicketLifecycle } from './service.ts';
import { overdue } from './sla-clock.ts';
import type { SlaPolicies } from './sla-policies.ts';
import { type EscalationAction, PRIORITIES, type SlaKind, type Ticket } from './types.ts';

const log = createLogger('tickets');
const SYSTEM = { userId: 'system' };

/** Finds breached SLA clocks and runs the policy's escalations; callable directly with any clock. */
export class SlaChecker {
  #core: TicketCore;
  #policies: SlaPolicies;
  #lifecycle: TicketLifecycle;
  #loop: SupervisedLoop | undefined;
  #running: Promise<number> | undefined;

  constructor(core: TicketCore, options: { policies: SlaPolicies; lifecycle: TicketLifecycle }) {
    this.#core = core;
    this.#policies = options.policies;
    this.#lifecycle = options.lifecycle;
  }

  /** Checks every ticket once at `core.now()`; returns how many breaches it found. */
  check(): Promise<number> {
    this.#running ??= this.#checkAll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #checkAll(): Promise<number> {
    const now = this.#core.now();
    let found = 0;
    for (const t of await this.#core.repo.tickets()) {
      if (!t.sla) continue;
      for (const kind of overdue(t.sla, now)) {
        found++;
        await this.#breach(t, kind).catch((err) =>
          log.error(`SLA escalation failed [ticketId:${t.id}]`, { err }),
        );
      }
    }
    return found;
  }

  async #breach(t: Ticket, kind: SlaKind): Promise<void> {
    const core = this.#core;
    const dueAt = t.sla!.due[kind]!;
    const { ticket } = await core.mutate(t.id, SYSTEM, 'sla_breached', (x) => {
      if (x.sla && !x.sla.breached.includes(kind)) x.sla = { ...x.sla, breached: [...x.sla.breached, kind] };
    });
    await core.bus.publish('ticket.sla_breached', {
      ticketId: t.id,
      number: t.number,
      kind,
      dueAt,
      ...(ticket.assigneeId ? { recipientUserId: ticket.assigneeId } : {}),
    });
    const policy = await this.#policies.get(t.sla!.policyId);
    for (const rule of policy.escalations.filter((e) => e.on === kind)) {
      for (const action of rule.actions) await this.#escalate(ticket, kind, action);
    }
  }

  async #escalate(t: Ticket, kind: SlaKind, action: EscalationAction): Promise<void> {
    const core = this.#core;
    const base = { ticketId: t.id, number: t.number, kind, action: action.kind };
    if (action.kind === 'reassign') {
      const target = {
        ...(action.userId ? { userId: action.userId } : {}),
        ...(action.departmentId ? { departmentId: action.departmentId } : {}),
      };
      const after = await this.#lifecycle.assign(t.id, target, SYSTEM);
      await core.bus.publish('ticket.escalated', {
        ...base,
        ...(after.assigneeId ? { recipientUserId: after.assigneeId } : {}),
        ...(after.departmentId ? { departmentId: after.departmentId } : {}),
      });
    } else if (action.kind === 'notify') {
      await core.bus.publish('ticket.escalated', { ...base, recipientUserId: action.userId });
    } else {
      const { ticket } = await core.mutate(t.id, SYSTEM, 'escalated', (x) => {
        x.priority = PRIORITIES[Math.min(PRIORITIES.indexOf(x.priority) + 1, PRIORITIES.length - 1)]!;
      });
      await core.bus.publish('ticket.escalated', {
        ...base,
        priority: ticket.priority,
        ...(ticket.assigneeId ? { recipientUserId: ticket.assigneeId } : {}),
      });
    }
  }

  /** Checks every `intervalMs` (30 s in production) until close(). */
  /** A failing check (store down) is alarmed and retried with back-off; it never ends the process. */
  start(intervalMs = 30_000): void {
    if (this.#loop) return;
    // The pass returns nothing: a number returned to SupervisedLoop is the delay before the next
    // pass, so returning the breach count (usually 0) re-read every ticket in a spin.
    this.#loop = new SupervisedLoop(
      'tickets.sla',
      async () => {
        await this.check();
      },
      {
        everyMs: intervalMs,
        backoffMs: Math.min(intervalMs, 5000),
        bus: this.#core.bus,
        log,
      },
    ).start();
  }

  /** The periodic check's health (consecutive failures, last error); undefined before start(). */
  get status() {
    return this.#loop?.status;
  }

  async close(): Promise<void> {
    await this.#loop?.close();
    this.#loop = undefined;
    await this.#running?.catch(() => undefined);
  }
}
