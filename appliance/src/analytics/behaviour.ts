import type { ContactFact } from './types.ts';

const HOUR_MS = 3_600_000;
/** A contact this soon after the customer's previous one counts as a repeat (industry default: 7 days). */
export const REPEAT_WINDOW_HOURS = 168;
/** A channel change this soon after the previous contact counts as a switch (e.g. chat, then a call). */
export const SWITCH_WINDOW_HOURS = 24;

export interface BehaviourReport {
  from: string;
  to: string;
  contacts: number;
  customers: number;
  channelMix: Array<{ channel: string; contacts: number; customers: number; share: number }>;
  /** Contacts that followed the same customer's previous contact within 7 days. */
  repeat: { windowHours: number; contacts: number; rate: number | null };
  /** Contacts on another channel than the customer's previous contact within 24 h. */
  switching: {
    windowHours: number;
    contacts: number;
    rate: number | null;
    pairs: Array<{ from: string; to: string; count: number }>;
  };
  /** Customers by how many contacts they made in the range. */
  perCustomer: Array<{ contacts: string; customers: number }>;
  averagePerCustomer: number | null;
}

const PER_CUSTOMER_BUCKETS = ['1', '2', '3', '4', '5+'] as const;

/**
 * Customer behaviour over `[from, to)` from contact facts. Pass facts from
 * 7 days before `from` too: they are not counted, but a contact in the range
 * may repeat or switch from one of them.
 * @example customerBehaviour(facts, { from, to }).repeat.rate // 0.25
 */
export function customerBehaviour(
  facts: readonly ContactFact[],
  range: { from: string; to: string },
): BehaviourReport {
  const from = Date.parse(range.from);
  const to = Date.parse(range.to);
  const sorted = [...facts].sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  const inRange = (f: ContactFact) => {
    const t = Date.parse(f.queuedAt);
    return t >= from && t < to;
  };
  const mix = new Map<string, { contacts: number; customers: Set<string> }>();
  const perCustomer = new Map<string, number>();
  const previous = new Map<string, ContactFact>();
  const pairs = new Map<string, number>();
  let contacts = 0;
  let repeats = 0;
  let switches = 0;
  for (const f of sorted) {
    const prior = f.customerId ? previous.get(f.customerId) : undefined;
    if (f.customerId) previous.set(f.customerId, f);
    if (!inRange(f)) continue;
    contacts++;
    const m = mix.get(f.channel) ?? { contacts: 0, customers: new Set<string>() };
    m.contacts++;
    if (f.customerId) {
      m.customers.add(f.customerId);
      perCustomer.set(f.customerId, (perCustomer.get(f.customerId) ?? 0) + 1);
    }
    mix.set(f.channel, m);
    if (!prior) continue;
    const gap = Date.parse(f.queuedAt) - Date.parse(prior.queuedAt);
    if (gap <= REPEAT_WINDOW_HOURS * HOUR_MS) repeats++;
    if (gap <= SWITCH_WINDOW_HOURS * HOUR_MS && prior.channel !== f.channel) {
      switches++;
      const key = `${prior.channel}\u0000${f.channel}`;
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    }
  }
  const buckets = new Map<string, number>(PER_CUSTOMER_BUCKETS.map((b) => [b, 0]));
  for (const n of perCustomer.values()) {
    const b = n >= 5 ? '5+' : String(n);
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  }
  const customerContacts = [...perCustomer.values()].reduce((a, b) => a + b, 0);
  const rate = (n: number) => (contacts ? n / contacts : null);
  return {
    from: range.from,
    to: range.to,
    contacts,
    customers: perCustomer.size,
    channelMix: [...mix]
      .map(([channel, m]) => ({
        channel,
        contacts: m.contacts,
        customers: m.customers.size,
        share: m.contacts / contacts,
      }))
      .sort((a, b) => b.contacts - a.contacts || a.channel.localeCompare(b.channel)),
    repeat: { windowHours: REPEAT_WINDOW_HOURS, contacts: repeats, rate: rate(repeats) },
    switching: {
      windowHours: SWITCH_WINDOW_HOURS,
      contacts: switches,
      rate: rate(switches),
      pairs: [...pairs]
        .map(([key, count]) => {
          const [a = '', b = ''] = key.split('\u0000');
          return { from: a, to: b, count };
        })
        .sort((x, y) => y.count - x.count),
    },
    perCustomer: [...buckets].map(([c, customers]) => ({ contacts: c, customers })),
    averagePerCustomer: perCustomer.size ? customerContacts / perCustomer.size : null,
  };
}
