import type { Dispatcher } from './engine-dispatch.ts';
import type { Offer, Task } from './engine-model.ts';
import type { DeadlineHeap } from './sorted.ts';

/**
 * What the engine waits for. Entries are never removed early: each is checked
 * against the live state when it falls due, so a stale one is simply skipped.
 */
export type Deadline =
  | { at: number; kind: 'relax'; task: Task; epoch: number }
  | { at: number; kind: 'sticky'; task: Task }
  | { at: number; kind: 'offer'; offer: Offer };

/** Runs every deadline due by `now`: offer timeouts (RONA), sticky expiries, target relaxations. */
export function runDue(
  deadlines: DeadlineHeap<Deadline>,
  at: { now: number; tasks: ReadonlyMap<string, Task>; dispatch: Dispatcher },
): void {
  const { now, tasks, dispatch } = at;
  for (let d = deadlines.peek(); d && d.at <= now; d = deadlines.peek()) {
    deadlines.pop();
    if (d.kind === 'offer') {
      if (d.offer.open) dispatch.closeOffer(d.offer, 'offer_timed_out');
    } else if (d.kind === 'sticky') {
      if (d.task.preferred && d.task.preferred.until <= now && tasks.has(d.task.id))
        dispatch.dropPreference(d.task);
    } else if (d.task.status === 'waiting' && d.task.targetEpoch === d.epoch && tasks.has(d.task.id)) {
      if (d.task.preferred) continue; // relaxes when the sticky hold ends (place() catches up)
      dispatch.unplace(d.task);
      dispatch.place(d.task);
    }
  }
}
