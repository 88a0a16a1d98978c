/**
 * Jittered exponential back-off for PouchDB's `back_off_function`: never below
 * `baseMs` (cannot spin), never above `maxMs` (bounded), "full jitter" in the
 * upper half so many branches do not retry in lockstep.
 */
export function backoff(options: { baseMs?: number; maxMs?: number; random?: () => number } = {}) {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const random = options.random ?? Math.random;
  if (base <= 0 || max < base) throw new RangeError('backoff needs 0 < baseMs ≤ maxMs');
  return (previous: number): number => {
    const target = Math.min(max, Math.max(base, previous > 0 ? previous * 2 : base));
    return Math.max(base, Math.round(target / 2 + (random() * target) / 2));
  };
}
