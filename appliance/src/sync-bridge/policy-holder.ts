import {
  defaultPolicy,
  type PolicyChange,
  type PouchDb,
  policyDiff,
  type ResidencyPolicy,
  type SignedPolicy,
  verifyPolicy,
} from '../../../sync/src/index.ts';
import type { EventBus } from '../events/index.ts';
import { putLatest } from './put-latest.ts';

/** The residency policy in force: the built-in default until HQ sends a signed, newer one. */
export class PolicyHolder {
  #policy: ResidencyPolicy = defaultPolicy(new Date(0));
  readonly #bus: EventBus;
  readonly #pinnedHqKey: string | undefined;
  readonly #state: PouchDb;

  constructor(options: { bus: EventBus; pinnedHqKey: string | undefined; state: PouchDb }) {
    this.#bus = options.bus;
    this.#pinnedHqKey = options.pinnedHqKey;
    this.#state = options.state;
  }

  get current(): ResidencyPolicy {
    return this.#policy;
  }

  /** Adopts a residency policy if it verifies against the pinned HQ key and is newer. */
  async apply(signed: SignedPolicy, options: { persist?: boolean } = {}): Promise<boolean> {
    const bus = this.#bus;
    const version = signed.policy?.version ?? 0;
    if (!this.#pinnedHqKey || !verifyPolicy(signed, this.#pinnedHqKey)) {
      await bus.publish('sync.policy_rejected', { version, reason: 'signature' }, { actor: 'hq' });
      return false;
    }
    if (version <= this.#policy.version && this.#policy.issuedAt !== new Date(0).toISOString()) {
      // Re-delivery of the current policy (restart, re-pull) is silent; an older one is a refused rollback.
      if (version < this.#policy.version)
        await bus.publish('sync.policy_rejected', { version, reason: 'older than current' }, { actor: 'hq' });
      return false;
    }
    const from = this.#policy.version;
    const before = this.#policy;
    this.#policy = signed.policy;
    if (options.persist !== false) {
      await putLatest(this.#state, 'policy', { signed });
      // What HQ changed, per class and field, for the Join HQ page (not for the built-in starting policy).
      if (before.issuedAt !== new Date(0).toISOString())
        await putLatest(this.#state, 'policy-diff', {
          from,
          to: version,
          at: new Date().toISOString(),
          changes: policyDiff(before, signed.policy),
        });
    }
    await bus.publish('sync.policy_changed', { version, from }, { actor: 'hq' });
    return true;
  }

  /** The last change HQ made to the policy (verified before it applied), if any. */
  async lastChange(): Promise<PolicyChangeRecord | undefined> {
    const doc = await this.#state.get('policy-diff').catch(() => undefined);
    if (!doc) return undefined;
    return {
      from: Number(doc['from']),
      to: Number(doc['to']),
      at: String(doc['at']),
      changes: (doc['changes'] as PolicyChange[] | undefined) ?? [],
    };
  }
}

export interface PolicyChangeRecord {
  from: number;
  to: number;
  at: string;
  changes: PolicyChange[];
}
