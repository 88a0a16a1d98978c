import type { Actor, CustomerService } from '../customers/index.ts';
import { maskBankCard, maskEmail, maskIdCard, maskPhone } from '../identity/index.ts';
import type { DocStore } from '../storage/index.ts';
import type { CrmConnector, ExternalResult } from './connector.ts';
import { ids } from './ids.ts';
import type {
  FieldDef,
  FieldValue,
  HistoryItem,
  HistorySource,
  Order,
  ScreenPop,
  Viewer,
  Warranty,
} from './types.ts';

export interface ScreenPopDeps {
  store: DocStore;
  customers: CustomerService;
  connectors: () => CrmConnector[];
  history: () => Array<[string, HistorySource]>;
  defs: () => Promise<FieldDef[]>;
  recordRead: (read: { actor: string; target: string; source?: string; action?: string }) => Promise<void>;
}

const MASKERS: Record<string, (v: string) => string> = {
  phone: maskPhone,
  phoneRaw: maskPhone,
  email: maskEmail,
  idCard: maskIdCard,
  bankCard: maskBankCard,
};
const maskText = (v: string) => (v.length <= 1 ? '*' : `${v[0]}${'*'.repeat(Math.min(v.length - 1, 6))}`);

function maskCustomer(c: Record<string, unknown>): Record<string, unknown> {
  const out = { ...c };
  for (const [k, m] of Object.entries(MASKERS)) if (typeof out[k] === 'string') out[k] = m(out[k] as string);
  if (typeof out.address === 'string') out.address = maskText(out.address);
  return out;
}

type ProfileDoc = { externalId?: string; fields: Record<string, FieldValue>; sealed?: string | null };

/**
 * Assembles the screen pop: local data first (customer, profile, orders,
 * warranties, history, read in parallel), and external CRM fields only if
 * the connector answers within `budgetMs` — the connector's own timeout is
 * capped at the budget, so a slow or broken CRM costs at most the budget and
 * an open breaker costs nothing.
 */
export async function assembleScreenPop(
  deps: ScreenPopDeps,
  customerId: string,
  options: { viewer: Viewer; budgetMs: number; purpose?: string },
): Promise<ScreenPop> {
  const started = performance.now();
  const { viewer } = options;
  const actor: Actor = { userId: viewer.userId, ...(viewer.source ? { source: viewer.source } : {}) };
  const profileP = deps.store.get<ProfileDoc>(ids.profile(customerId));
  const external = profileP.then((p) => lookupExternal(deps.connectors(), p?.externalId, options.budgetMs));
  const [customer, profile, orders, warranties, history, defs] = await Promise.all([
    deps.customers.get(customerId, actor, options.purpose ?? 'screenpop'),
    profileP,
    deps.store.list<Order & { type: string }>({ prefix: ids.orders(customerId) }),
    deps.store.list<Warranty & { type: string }>({ prefix: ids.warranties(customerId) }),
    historyOf(deps.history(), customerId),
    deps.defs(),
  ]);
  await deps.recordRead({
    actor: viewer.userId,
    target: `customer:${customerId}`,
    action: 'crm.screenpop',
    ...(viewer.source ? { source: viewer.source } : {}),
  });
  const full = viewer.permissions.has('customers.read_sensitive');
  const pii = new Set(defs.filter((d) => d.pii).map((d) => d.name));
  const fields: Record<string, FieldValue> = { ...(profile?.fields ?? {}) };
  if (profile?.sealed) Object.assign(fields, JSON.parse(profile.sealed) as Record<string, FieldValue>);
  if (!full)
    for (const k of pii) if (typeof fields[k] === 'string') fields[k] = maskText(fields[k] as string);
  const ext = await external;
  const extFields = { ...ext.result.fields };
  if (!full) {
    for (const k of Object.keys(extFields)) {
      const v = extFields[k];
      if (typeof v !== 'string') continue;
      if (MASKERS[k]) extFields[k] = MASKERS[k](v);
      else if (pii.has(k) || k === 'address' || k === 'name') extFields[k] = maskText(v);
    }
  }
  const { _id, _rev, type, ...cust } = customer as unknown as Record<string, unknown>;
  return {
    customerId,
    customer: full ? cust : maskCustomer(cust),
    profile: { ...(profile?.externalId ? { externalId: profile.externalId } : {}), fields },
    orders: orders
      .map(({ _id: _i, _rev: _r, type: _t, ...o }) =>
        full || !o.address ? o : { ...o, address: maskText(o.address) },
      )
      .sort((a, b) => b.date.localeCompare(a.date))
      .slice(0, 20),
    warranties: warranties.map(({ _id: _i, _rev: _r, type: _t, ...w }) => w),
    history,
    external: {
      status: ext.result.status,
      ...(ext.connectorId ? { connectorId: ext.connectorId } : {}),
      fields: extFields,
    },
    masked: !full,
    elapsedMs: Math.round((performance.now() - started) * 10) / 10,
  };
}

async function lookupExternal(
  connectors: CrmConnector[],
  externalId: string | undefined,
  budgetMs: number,
): Promise<{ connectorId?: string; result: ExternalResult }> {
  const first = connectors[0];
  if (!externalId || !first || budgetMs <= 0) return { result: { status: 'none', fields: {} } };
  return { connectorId: first.config.id, result: await first.lookup(externalId, { timeoutMs: budgetMs }) };
}

async function historyOf(
  sources: Array<[string, HistorySource]>,
  customerId: string,
): Promise<HistoryItem[]> {
  const lists = await Promise.all(
    sources.map(([, fn]) => fn(customerId, 10).catch(() => [] as HistoryItem[])),
  );
  return lists
    .flat()
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, 20);
}
