/**
 * Erlang C: probability that a contact must wait, with `agents` servers and
 * `traffic` Erlangs offered. Computed via the numerically stable Erlang B
 * recursion, then C = N·B / (N − A·(1 − B)).
 */
export function erlangC(agents: number, traffic: number): number {
  if (!Number.isInteger(agents) || agents < 0) throw new RangeError('agents must be a non-negative integer');
  if (!(traffic >= 0)) throw new RangeError('traffic must be ≥ 0');
  if (traffic === 0) return 0;
  if (agents <= traffic) return 1;
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (traffic * b) / (k + traffic * b);
  return (agents * b) / (agents - traffic * (1 - b));
}

/** Share of contacts answered within `targetSeconds` (Erlang C service level). */
export function serviceLevelFor(
  agents: number,
  input: { traffic: number; ahtSeconds: number; targetSeconds: number },
): number {
  if (agents <= input.traffic) return 0;
  const pw = erlangC(agents, input.traffic);
  return 1 - pw * Math.exp((-(agents - input.traffic) * input.targetSeconds) / input.ahtSeconds);
}

export interface StaffingInput {
  /** Contacts expected in the interval. */
  volume: number;
  intervalSeconds: number;
  ahtSeconds: number;
  /** e.g. 0.8 for "80 % …" */
  targetLevel: number;
  /** e.g. 20 for "… within 20 s". */
  targetSeconds: number;
  /** Share of paid time agents are unavailable (breaks, training); 0 ≤ s < 1. */
  shrinkage?: number;
}

export interface StaffingResult {
  trafficErlangs: number;
  /** Agents needed on the phones/chats. */
  agents: number;
  /** Agents to schedule once shrinkage is allowed for. */
  scheduled: number;
  serviceLevel: number;
  probabilityOfWait: number;
  asaSeconds: number;
  occupancy: number;
}

/**
 * Minimum agents meeting a service-level target for one interval.
 * @example requiredAgents({ volume: 100, intervalSeconds: 1800, ahtSeconds: 180, targetLevel: 0.8, targetSeconds: 20 }).agents // 14
 */
export function requiredAgents(input: StaffingInput): StaffingResult {
  const { volume, intervalSeconds, ahtSeconds, targetLevel, targetSeconds } = input;
  const shrinkage = input.shrinkage ?? 0;
  if (!(volume >= 0) || !(intervalSeconds > 0) || !(ahtSeconds > 0))
    throw new RangeError('volume ≥ 0, intervalSeconds > 0 and ahtSeconds > 0 are required');
  if (!(targetLevel > 0 && targetLevel < 1)) throw new RangeError('targetLevel must be in (0, 1)');
  if (!(targetSeconds >= 0)) throw new RangeError('targetSeconds must be ≥ 0');
  if (!(shrinkage >= 0 && shrinkage < 1)) throw new RangeError('shrinkage must be in [0, 1)');
  const traffic = (volume * ahtSeconds) / intervalSeconds;
  if (traffic === 0)
    return {
      trafficErlangs: 0,
      agents: 0,
      scheduled: 0,
      serviceLevel: 1,
      probabilityOfWait: 0,
      asaSeconds: 0,
      occupancy: 0,
    };
  let n = Math.floor(traffic) + 1;
  const sl = (k: number) => serviceLevelFor(k, { traffic, ahtSeconds, targetSeconds });
  while (sl(n) < targetLevel) n++;
  const pw = erlangC(n, traffic);
  return {
    trafficErlangs: traffic,
    agents: n,
    scheduled: Math.ceil(n / (1 - shrinkage) - 1e-9),
    serviceLevel: sl(n),
    probabilityOfWait: pw,
    asaSeconds: (pw * ahtSeconds) / (n - traffic),
    occupancy: traffic / n,
  };
}
