import type { ChurnRisk } from './types.ts';

/** What analytics keeps per customer for churn risk (ids and times only, no personal content). */
export interface CustomerSignals {
  customerId: string;
  contacts: Array<{ contactId: string; at: string; abandoned?: boolean; csat?: number }>;
  /** Open tickets of this customer that were escalated. */
  escalatedTickets: string[];
}

export const CHURN_WEIGHTS = {
  negative_csat: 30,
  repeat_contact_7d: 15,
  abandoned: 10,
  open_escalated_ticket: 25,
} as const;

const DAY = 86_400_000;

/**
 * An explainable score: fixed points per signal in the last 30 days, capped
 * at 100. Negative CSAT = score 1–2; a repeat contact is any contact within 7
 * days of the customer's previous one.
 */
export function churnRisk(s: CustomerSignals, now: Date): ChurnRisk {
  const since = now.getTime() - 30 * DAY;
  const recent = s.contacts
    .filter((c) => Date.parse(c.at) >= since)
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  let repeats = 0;
  for (let i = 1; i < recent.length; i++) {
    const prev = recent[i - 1];
    const cur = recent[i];
    if (prev && cur && Date.parse(cur.at) - Date.parse(prev.at) <= 7 * DAY) repeats++;
  }
  const counts: Record<keyof typeof CHURN_WEIGHTS, number> = {
    negative_csat: recent.filter((c) => c.csat !== undefined && c.csat <= 2).length,
    repeat_contact_7d: repeats,
    abandoned: recent.filter((c) => c.abandoned).length,
    open_escalated_ticket: s.escalatedTickets.length,
  };
  const reasons = (Object.keys(counts) as Array<keyof typeof CHURN_WEIGHTS>)
    .filter((code) => counts[code] > 0)
    .map((code) => ({ code, count: counts[code], points: counts[code] * CHURN_WEIGHTS[code] }))
    .sort((a, b) => b.points - a.points);
  const score = Math.min(
    100,
    reasons.reduce((sum, r) => sum + r.points, 0),
  );
  return {
    customerId: s.customerId,
    score,
    level: score >= 60 ? 'high' : score >= 30 ? 'medium' : 'low',
    reasons,
  };
}
