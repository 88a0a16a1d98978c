import type { AgentIndex } from './engine-agents.ts';
import type { Agent, CompiledWorkflow, Task } from './engine-model.ts';

/** Sticky first-offer window when a task names its preferred agent but the workflow sets none. */
const DEFAULT_PREFERRED_MS = 30_000;

/**
 * Which agent last served each customer, and so who gets the first offer of
 * a new task: the agent the task names, else (sticky workflows) the
 * customer's last agent within the window.
 */
export class StickyMemory {
  readonly #agents: AgentIndex;
  readonly #lastServed = new Map<string, { userId: string; at: number }>();

  constructor(agents: AgentIndex) {
    this.#agents = agents;
  }

  served(customerId: string | undefined, userId: string, at: number): void {
    if (customerId !== undefined) this.#lastServed.set(customerId, { userId, at });
  }

  /** The agent holding the task's first offer and until when, or undefined (no one eligible). */
  holdFor(
    task: Task,
    at: { wf: CompiledWorkflow; explicit: string | undefined; now: number },
  ): { agent: Agent; until: number } | undefined {
    const { wf, now } = at;
    let userId = at.explicit;
    const offerMs = wf.sticky?.offerMs ?? DEFAULT_PREFERRED_MS;
    if (userId === undefined && wf.sticky && task.customerId !== undefined) {
      const last = this.#lastServed.get(task.customerId);
      if (last && now - last.at <= wf.sticky.windowMs) userId = last.userId;
    }
    const agent = userId === undefined ? undefined : this.#agents.get(userId);
    if (!agent || agent.state === 'offline' || !(agent.profile.capacity[task.channel] ?? 0)) return undefined;
    return { agent, until: now + offerMs };
  }
}
