import { TicketsError } from './errors.ts';
import type { TicketService } from './facade.ts';

/** What still needs a department: deleting it would strand these. */
export interface DepartmentUsage {
  /** Tickets not yet closed that are assigned to the department. */
  tickets: Array<{ id: string; number: string }>;
  /** Workflows whose `passed_level` guard names a level only this department's members hold. */
  workflows: Array<{ id: string; name: string; level: string }>;
  /** SLA policies that escalate by reassigning to the department. */
  policies: Array<{ id: string; name: string }>;
}

/** Everything that references department `id` (tickets, workflow guards, SLA escalations). */
export async function departmentUsage(service: TicketService, id: string): Promise<DepartmentUsage> {
  const dept = await service.departments.get(id);
  const tickets: DepartmentUsage['tickets'] = [];
  for (const t of await service.list({ departmentId: id })) {
    if ((await service.stateCategory(t)) !== 'closed') tickets.push({ id: t.id, number: t.number });
  }
  const others = (await service.departments.list()).filter((d) => d.id !== id);
  const elsewhere = new Set(others.flatMap((d) => d.members.map((m) => m.level ?? '')));
  const mine = new Set(dept.members.map((m) => m.level ?? '').filter((l) => l && !elsewhere.has(l)));
  const workflows: DepartmentUsage['workflows'] = [];
  for (const wf of await service.workflows.list()) {
    for (const tr of wf.transitions) {
      const g = tr.guards?.find((x) => x.kind === 'passed_level' && mine.has(x.level));
      if (g?.kind === 'passed_level' && !workflows.some((w) => w.id === wf.id)) {
        workflows.push({ id: wf.id, name: wf.name, level: g.level });
      }
    }
  }
  const policies = (await service.policies.list())
    .filter((p) =>
      p.escalations.some((e) => e.actions.some((a) => a.kind === 'reassign' && a.departmentId === id)),
    )
    .map((p) => ({ id: p.id, name: p.name }));
  return { tickets, workflows, policies };
}

/**
 * Deletes the department unless something uses it: then TICKETS_IN_USE (409)
 * with `details.usedBy` naming the tickets, workflows and SLA policies.
 * @example
 * await deleteDepartment(service, 'cards', { userId: 'u1' }); // 409 while ticket BR-000001 is assigned to it
 */
export async function deleteDepartment(
  service: TicketService,
  id: string,
  actor: { userId: string },
): Promise<void> {
  const usedBy = await departmentUsage(service, id);
  if (usedBy.tickets.length + usedBy.workflows.length + usedBy.policies.length > 0) {
    throw new TicketsError('TICKETS_IN_USE', `Department is still in use [id:${id}]`, {
      status: 409,
      details: { departmentId: id, usedBy },
    });
  }
  await service.departments.remove(id, actor);
}
