import { addBusinessMinutes, businessMinutesBetween } from './calendar.ts';
import type { Priority, SlaClock, SlaKind, SlaPolicy } from './types.ts';

const TARGET: Record<SlaKind, 'firstResponseMinutes' | 'nextResponseMinutes' | 'resolutionMinutes'> = {
  first_response: 'firstResponseMinutes',
  next_response: 'nextResponseMinutes',
  resolution: 'resolutionMinutes',
};

/** Due time of `kind` counted from `from`, or undefined when the policy sets no target. */
export function dueAt(policy: SlaPolicy, priority: Priority, kind: SlaKind, from: Date): string | undefined {
  const minutes = policy.targets[priority]?.[TARGET[kind]];
  return minutes === undefined ? undefined : addBusinessMinutes(policy.calendar, from, minutes).toISOString();
}

/** A new ticket's clocks: first response and resolution. */
export function startClock(policy: SlaPolicy, priority: Priority, at: Date): SlaClock {
  const due: SlaClock['due'] = {};
  for (const kind of ['first_response', 'resolution'] as const) {
    const d = dueAt(policy, priority, kind, at);
    if (d) due[kind] = d;
  }
  return { policyId: policy.id, due, breached: [] };
}

/** Resuming moves every due time forward by the business time spent paused. */
export function resumeClock(policy: SlaPolicy, clock: SlaClock, at: Date): SlaClock {
  if (!clock.pausedAt) return clock;
  const paused = new Date(clock.pausedAt);
  const due: SlaClock['due'] = {};
  for (const [kind, iso] of Object.entries(clock.due) as Array<[SlaKind, string]>) {
    const left = businessMinutesBetween(policy.calendar, paused, new Date(iso));
    due[kind] = addBusinessMinutes(policy.calendar, at, left).toISOString();
  }
  const { pausedAt: _p, ...rest } = clock;
  return { ...rest, due };
}

/** Kinds whose due time has passed and that were not already reported. */
export function overdue(clock: SlaClock, now: Date): SlaKind[] {
  if (clock.pausedAt) return [];
  return (Object.entries(clock.due) as Array<[SlaKind, string]>)
    .filter(([kind, iso]) => Date.parse(iso) <= now.getTime() && !clock.breached.includes(kind))
    .map(([kind]) => kind);
}
