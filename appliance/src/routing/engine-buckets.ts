import type { AgentIndex } from './engine-agents.ts';
import { type Agent, type Bucket, type CompiledTarget, type Task, taskOrder } from './engine-model.ts';
import { SortedList } from './sorted.ts';

/** Bucket count above which empty buckets are dropped (task-valued expressions mint many). */
const BUCKET_GC_THRESHOLD = 256;

/** Whether the agent may take tasks of the bucket: capacity on its channel, queue and target expressions. */
export function isEligible(a: Agent, b: Bucket): boolean {
  if (!(a.profile.capacity[b.channel] ?? 0)) return false;
  if (!b.target.queueExpr.test(a.scope)) return false;
  return b.target.expr.test(b.target.taskRefs.length ? { ...a.scope, task: b.taskScope } : a.scope);
}

/**
 * Waiting tasks grouped by (queue, channel, agent expression, task values),
 * each group caching its eligible agents so matching never re-evaluates
 * expressions per task.
 */
export class BucketIndex {
  readonly #agents: AgentIndex;
  readonly #buckets = new Map<string, Bucket>();

  constructor(agents: AgentIndex) {
    this.#agents = agents;
  }

  get map(): ReadonlyMap<string, Bucket> {
    return this.#buckets;
  }

  /** The bucket a task waits in for this target, created (with its eligible agents) on first use. */
  for(task: Task, target: CompiledTarget): Bucket {
    const taskScope: Record<string, unknown> = {};
    for (const r of target.taskRefs) taskScope[r] = task.attributes[r];
    const key = `${target.queueId}\u0000${task.channel}\u0000${target.queueExpr.source}\u0000${target.expr.source}\u0000${JSON.stringify(taskScope)}`;
    let b = this.#buckets.get(key);
    if (b) return b;
    if (this.#buckets.size >= BUCKET_GC_THRESHOLD) this.#collect();
    b = {
      key,
      queueId: target.queueId,
      channel: task.channel,
      target,
      taskScope,
      eligible: new Set(),
      tasks: new SortedList(taskOrder),
    };
    for (const a of this.#agents.values()) {
      if (isEligible(a, b)) {
        b.eligible.add(a);
        a.buckets.add(b);
      }
    }
    this.#buckets.set(key, b);
    return b;
  }

  /** Re-evaluates one agent against every bucket (its profile changed). */
  sync(a: Agent): void {
    for (const b of this.#buckets.values()) {
      if (isEligible(a, b)) {
        b.eligible.add(a);
        a.buckets.add(b);
      } else {
        b.eligible.delete(a);
        a.buckets.delete(b);
      }
    }
  }

  /** Takes a departing agent out of every bucket's eligible set. */
  detach(a: Agent): void {
    for (const b of a.buckets) b.eligible.delete(a);
  }

  /** Drops every bucket (configuration changed); waiting tasks must be unplaced first. */
  clear(): void {
    for (const a of this.#agents.values()) a.buckets.clear();
    this.#buckets.clear();
  }

  #collect(): void {
    for (const [key, b] of this.#buckets) {
      if (b.tasks.size > 0) continue;
      for (const a of b.eligible) a.buckets.delete(b);
      this.#buckets.delete(key);
    }
  }
}
