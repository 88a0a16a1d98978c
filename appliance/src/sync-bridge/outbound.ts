import type { Agent } from 'node:https';
import {
  type DeniedDoc,
  openRemote,
  type PouchDb,
  type PouchDoc,
  Replicator,
  SyncWatchdog,
} from '../../../sync/src/index.ts';
import type { EventBus } from '../events/index.ts';
import type { BridgeDbs } from './types.ts';

/** The databases pushed to HQ, in replication order (the watchdog pairs them by index). */
export const OUTBOUND = ['tickets', 'crm', 'audit', 'status'] as const;

/**
 * Starts one push replication per outbound db and the inbound pull, and opens
 * the HQ copies reconcile() and release compare against.
 */
export function startReplication(options: {
  base: string;
  dbs: BridgeDbs;
  agent: Agent | undefined;
  onDenied: (cls: string, d: DeniedDoc) => Promise<void>;
  onPulled: (docs: PouchDoc[]) => Promise<void>;
}): { reps: Replicator[]; remotes: Record<string, PouchDb> } {
  const { base, dbs } = options;
  const agent = options.agent ? { agent: options.agent } : {};
  const reps: Replicator[] = [];
  for (const cls of OUTBOUND) {
    reps.push(
      new Replicator({
        name: cls,
        local: dbs[cls],
        remoteUrl: `${base}-${cls}`,
        direction: 'push',
        ...agent,
        onDenied: (d) => options.onDenied(cls, d),
      }),
    );
  }
  reps.push(
    new Replicator({
      name: 'inbound',
      local: dbs.inbound,
      remoteUrl: `${base}-inbound`,
      direction: 'pull',
      ...agent,
      // Short ceiling: a freeze must apply within seconds of the link coming back.
      backoff: { baseMs: 250, maxMs: 2_000 },
      onPulled: options.onPulled,
    }),
  );
  for (const r of reps) r.start();
  const remotes: Record<string, PouchDb> = {};
  for (const cls of OUTBOUND) remotes[cls] = openRemote(`${base}-${cls}`, agent);
  return { reps, remotes };
}

/** Raises `system.alarm_raised` when a replication stalls or falls behind (see SyncWatchdog). */
export function watchReplication(reps: Replicator[], dbs: BridgeDbs, bus: EventBus): SyncWatchdog {
  const watchdog = new SyncWatchdog({
    replicators: reps.map((r, i) => ({
      r,
      local: [dbs.tickets, dbs.crm, dbs.audit, dbs.status, dbs.inbound][i] as PouchDb,
    })),
    onAlarm: (a) => bus.publish('system.alarm_raised', a, { actor: 'system' }).then(() => undefined),
  });
  watchdog.start();
  return watchdog;
}
