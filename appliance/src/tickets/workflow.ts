import { TicketsError } from './errors.ts';
import type {
  CustomGuard,
  Ticket,
  TicketActor,
  Workflow,
  WorkflowInput,
  WorkflowTransition,
} from './types.ts';

const ID = /^[a-z][a-z0-9_-]{0,39}$/;

function invalid(
  reason: string,
  message: string,
  where: { state?: string; transition?: string },
): TicketsError {
  return new TicketsError('TICKETS_INVALID_WORKFLOW', message, {
    status: 422,
    details: { reason, ...where },
  });
}

function checkGuard(g: CustomGuard, t: WorkflowTransition, states: Set<string>): void {
  const transition = `${t.from}->${t.to}`;
  if (g.kind === 'visited' && !states.has(g.state)) {
    throw invalid('unknown_state', `Guard on ${transition} names unknown state "${g.state}"`, {
      state: g.state,
      transition,
    });
  }
  if (g.kind === 'passed_level' && !g.level) {
    throw invalid('empty_level', `Guard on ${transition} needs a level`, { state: t.from, transition });
  }
}

/**
 * Refuses a definition that could strand tickets; every error names the state.
 * @example
 * validateWorkflow({ id: 'x', name: 'x', initial: 'new', states: [], transitions: [] }); // throws
 */
export function validateWorkflow(wf: WorkflowInput): void {
  if (!ID.test(wf.id)) throw invalid('bad_id', `Invalid workflow id "${wf.id}"`, {});
  const states = new Set<string>();
  for (const s of wf.states) {
    if (!ID.test(s.id)) throw invalid('bad_id', `Invalid state id "${s.id}"`, { state: s.id });
    if (states.has(s.id))
      throw invalid('duplicate_state', `State "${s.id}" is defined twice`, { state: s.id });
    states.add(s.id);
  }
  if (!states.has(wf.initial)) {
    throw invalid('unknown_state', `Initial state "${wf.initial}" is not defined`, { state: wf.initial });
  }
  const seen = new Set<string>();
  for (const t of wf.transitions) {
    const transition = `${t.from}->${t.to}`;
    for (const end of [t.from, t.to]) {
      if (!states.has(end)) {
        throw invalid('unknown_state', `Transition ${transition} names unknown state "${end}"`, {
          state: end,
          transition,
        });
      }
    }
    if (t.from === t.to)
      throw invalid('self_loop', `Transition ${transition} loops`, { state: t.from, transition });
    if (seen.has(transition)) {
      throw invalid('duplicate_transition', `Transition ${transition} is defined twice`, {
        state: t.from,
        transition,
      });
    }
    seen.add(transition);
    for (const g of t.guards ?? []) checkGuard(g, t, states);
  }
  const byId = new Map(wf.states.map((s) => [s.id, s]));
  const reach = new Set([wf.initial]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of wf.transitions) {
      if (reach.has(t.from) && !reach.has(t.to)) {
        reach.add(t.to);
        grew = true;
      }
    }
  }
  for (const s of wf.states) {
    if (!reach.has(s.id)) {
      throw invalid('unreachable', `State "${s.id}" cannot be reached from "${wf.initial}"`, { state: s.id });
    }
    const out = wf.transitions.some((t) => t.from === s.id);
    if (!out && byId.get(s.id)?.category !== 'closed') {
      throw invalid('dead_end', `State "${s.id}" has no way out and is not a closed state`, { state: s.id });
    }
  }
  if (!wf.states.some((s) => s.category === 'closed')) {
    throw invalid('no_closed_state', 'A workflow needs a closed state', { state: wf.initial });
  }
}

function refuse(ticket: Ticket, to: string, reason: string, extra: Record<string, unknown>): TicketsError {
  return new TicketsError(
    'TICKETS_TRANSITION_REFUSED',
    `Cannot move ticket ${ticket.number} from ${ticket.state} to ${to}: ${reason}`,
    { status: 422, details: { from: ticket.state, to, reason, ...extra } },
  );
}

function applies(g: CustomGuard, ticket: Ticket): boolean {
  return !g.when || ticket.fields[g.when.field] === g.when.equals;
}

/**
 * The transition `ticket.state → to` if the actor and ticket pass every guard;
 * otherwise TICKETS_TRANSITION_REFUSED naming the missing field, role or guard.
 * `ticket.fields` must already include the fields sent with the transition.
 */
export function checkTransition(
  wf: Workflow,
  ticket: Ticket,
  to: string,
  actor: TicketActor,
): WorkflowTransition {
  const t = wf.transitions.find((x) => x.from === ticket.state && x.to === to);
  if (!t) {
    const allowed = wf.transitions.filter((x) => x.from === ticket.state).map((x) => x.to);
    throw refuse(ticket, to, 'no_transition', { allowed });
  }
  const missingFields = (t.requiredFields ?? []).filter((f) => !ticket.fields[f]?.trim());
  if (missingFields.length > 0) throw refuse(ticket, to, 'missing_fields', { missingFields });
  if (t.roles?.length && !t.roles.some((r) => actor.roles.includes(r))) {
    throw refuse(ticket, to, 'role', { requiredRoles: t.roles });
  }
  const missingPermissions = (t.permissions ?? []).filter((p) => !actor.permissions.has(p));
  if (missingPermissions.length > 0) throw refuse(ticket, to, 'permission', { missingPermissions });
  for (const g of t.guards ?? []) {
    if (!applies(g, ticket)) continue;
    if (g.kind === 'visited' && !ticket.visited.includes(g.state)) {
      throw refuse(ticket, to, 'guard', { guard: g.kind, state: g.state });
    }
    if (g.kind === 'passed_level' && !ticket.levelsPassed.includes(g.level)) {
      throw refuse(ticket, to, 'guard', { guard: g.kind, level: g.level });
    }
  }
  return t;
}
