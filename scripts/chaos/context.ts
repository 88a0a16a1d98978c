import type { ChaosAppliance } from './appliance.ts';
import type { Ledger } from './ledger.ts';
import type { ChaosSession } from './session.ts';

/** What every scenario gets: the appliance (ports survive restarts), the ledger, a signed-in session. */
export interface ChaosContext {
  app: ChaosAppliance;
  ledger: Ledger;
  session: ChaosSession;
  /** Scratch directory (sipp scenarios, audio). */
  workDir: string;
  /** Clients give up retrying an unacknowledged delivery after this moment. */
  retryUntil: number;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/**
 * Retries `attempt` (a platform or MTA retrying an unanswered delivery) with a
 * short back-off until it reports acknowledged or the retry window closes.
 */
export async function retrying(ctx: ChaosContext, attempt: () => Promise<boolean>): Promise<boolean> {
  for (let n = 0; ; n++) {
    if (await attempt()) return true;
    if (Date.now() > ctx.retryUntil) return false;
    await sleep(Math.min(2_000, 200 * 2 ** n));
  }
}
