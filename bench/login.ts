import { PasswordHasher } from '../appliance/src/identity/index.ts';

const N = 10;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? Number.NaN;
}

/**
 * argon2id cost of one sign-in (what `login` spends per attempt) and the
 * latency a burst of sign-ins sees through the bounded hash queue.
 */
export async function run(): Promise<Record<string, unknown>> {
  const hasher = new PasswordHasher();
  try {
    await hasher.hash('warm-up the worker'); // worker start and wasm compile are not per-hash costs
    let t = performance.now();
    for (let i = 0; i < N; i++) await hasher.hash(`sequential password ${i}`);
    const perHash = (performance.now() - t) / N;

    t = performance.now();
    const latencies = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        await hasher.hash(`concurrent password ${i}`);
        return performance.now() - t;
      }),
    );
    latencies.sort((a, b) => a - b);
    return {
      bench: 'login',
      argon2id_ms_per_hash: Math.round(perHash * 10) / 10,
      opslimit: hasher.opslimit,
      memlimit_mib: hasher.memlimit / 1024 / 1024,
      concurrency: 2,
      concurrent_hashes: N,
      concurrent_p50_ms: Math.round(percentile(latencies, 0.5)),
      concurrent_max_ms: Math.round(latencies.at(-1) ?? 0),
    };
  } finally {
    await hasher.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run()));
}
