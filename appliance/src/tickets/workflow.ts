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

/** One thing wrong with a workflow definition, placed on its state or transition (`from->to`). */
export interface WorkflowProblem {
  reason: string;
  message: string;
  state?: string;
  transition?: string;
}

function guardProblems(g: CustomGuard, t: WorkflowTransition, states: Set<string>): WorkflowProblem[] {
  const transition = `${t.from}->${t.to}`;
  if (g.kind === 'visited' && !states.has(g.state)) {
    const message = `Guard on ${transition} names unknown state "${g.state}"`;
    return [{ reason: 'unknown_state', message, state: g.state, transition }];
  }
  if (g.kind === 'passed_level' && !g.level) {
    return [
      { reason: 'empty_level', message: `Guard on ${transition} needs a level`, state: t.from, transition },
    ];
  }
  return [];
}

function stateProblems(wf: WorkflowInput, states: Set<string>): WorkflowProblem[] {
  const out: WorkflowProblem[] = [];
  for (const s of wf.states) {
    if (!ID.test(s.id)) out.push({ reason: 'bad_id', message: `Invalid state id "${s.id}"`, state: s.id });
    else if (states.has(s.id))
      out.push({ reason: 'duplicate_state', message: `State "${s.id}" is defined twice`, state: s.id });
    states.add(s.id);
  }
  if (!states.has(wf.initial)) {
    const message = `Initial state "${wf.initial}" is not defined`;
    out.push({ reason: 'unknown_state', message, state: wf.initial });
  }
  return out;
}

function transitionProblems(wf: WorkflowInput, states: Set<string>): WorkflowProblem[] {
  const out: WorkflowProblem[] = [];
  const seen = new Set<string>();
  for (const t of wf.transitions) {
    const transition = `${t.from}->${t.to}`;
    const unknown = [t.from, t.to].find((end) => !states.has(end));
    if (unknown !== undefined) {
      const message = `Transition ${transition} names unknown state "${unknown}"`;
      out.push({ reason: 'unknown_state', message, state: unknown, transition });
      continue;
    }
    if (t.from === t.to) {
      out.push({ reason: 'self_loop', message: `Transition ${transition} loops`, state: t.from, transition });
    } else if (seen.has(transition)) {
      const message = `Transition ${transition} is defined twice`;
      out.push({ reason: 'duplicate_transition', message, state: t.from, transition });
    }
    seen.add(transition);
    for (const g of t.guards ?? []) out.push(...guardProblems(g, t, states));
  }
  return out;
}

function shapeProblems(wf: WorkflowInput): WorkflowProblem[] {
  const out: WorkflowProblem[] = [];
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
      const message = `State "${s.id}" cannot be reached from "${wf.initial}"`;
      out.push({ reason: 'unreachable', message, state: s.id });
    }
    const way = wf.transitions.some((t) => t.from === s.id);
    if (!way && byId.get(s.id)?.category !== 'closed') {
      const message = `State "${s.id}" has no way out and is not a closed state`;
      out.push({ reason: 'dead_end', message, state: s.id });
    }
  }
  if (!wf.states.some((s) => s.category === 'closed')) {
    out.push({ reason: 'no_closed_state', message: 'A workflow needs a closed state', state: wf.initial });
  }
  return out;
}

/**
 * Everything that could strand tickets, each placed on its state or transition
 * (an editor shows them all on its diagram); empty when the definition is sound.
 * @example
 * workflowProblems({ id: 'x', name: 'x', initial: 'new', states: [], transitions: [] })[0]?.reason; // 'unknown_state'
 */
export function workflowProblems(wf: WorkflowInput): WorkflowProblem[] {
  if (!ID.test(wf.id)) return [{ reason: 'bad_id', message: `Invalid workflow id "${wf.id}"` }];
  const states = new Set<string>();
  return [...stateProblems(wf, states), ...transitionProblems(wf, states), ...shapeProblems(wf)];
}

/**
 * Refuses a definition that could strand tickets; the error names the first
 * problem's state, and with `all` lists every problem in `details.problems`.
 * @example
 * validateWorkflow({ id: 'x', name: 'x', initial: 'new', states: [], transitions: [] }); // throws
 */
export function validateWorkflow(wf: WorkflowInput, options: { all?: boolean } = {}): void {
  const problems = workflowProblems(wf);
  const [first] = problems;
  if (!first) return;
  const { message, ...where } = first;
  const all = options.all ? { problems: problems.map(({ message: _m, ...p }) => p) } : {};
  throw new TicketsError('TICKETS_INVALID_WORKFLOW', message, {
    status: 422,
    details: { ...where, ...all },
  });
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
