// The full partition soak: 5,000 tickets + 20,000 audit records, 10 cuts, 2 HQ restarts.
import { runPartition } from '../tests/support/sync-partition.ts';

export async function run(): Promise<Record<string, unknown>> {
  const r = await runPartition({ tickets: 5_000, audit: 20_000, cuts: 10, restarts: 2 });
  return { bench: 'sync-partition', ...r };
}
