import type { BranchModule, ModuleContext } from '../modules.ts';
import { EncryptedDocStore } from '../storage/index.ts';
import { CRM_SEALED_FIELDS, crmKeyIdFor } from './ids.ts';
import { crmRoutes, crmWebhookRoutes } from './routes.ts';
import { CrmService } from './service.ts';

/** Adds orders/warranties/CRM profile to the customers context's 360 view when it offers sections. */
function registerSections(customers: ModuleContext['services']['customers'], crm: CrmService): () => void {
  const reg = (customers as { registerProfileSection?: unknown }).registerProfileSection;
  if (typeof reg !== 'function') return () => {};
  // Both sections come from one screen pop: the 360 asks for them together, so they share it.
  const inflight = new Map<string, ReturnType<CrmService['screenPop']>>();
  const popFor = (customerId: string, userId: string) => {
    const key = `${customerId}\u0000${userId}`;
    let pop = inflight.get(key);
    if (!pop) {
      pop = crm.screenPop(customerId, { userId, permissions: new Set() }, { budgetMs: 0 });
      inflight.set(key, pop);
      const forget = () => inflight.delete(key);
      pop.then(forget, forget);
    }
    return pop;
  };
  const offs = (['orders', 'warranties'] as const).map((name) =>
    customers.registerProfileSection(`crm.${name}`, async (customerId, actor) => {
      const pop = await popFor(customerId, actor.userId);
      return pop[name];
    }),
  );
  return () => {
    for (const off of offs) off();
  };
}

/**
 * Service history from the conversations context's contacts, when that context
 * is loaded: the customer's latest `limit` contacts through its customer index
 * (a scan of every contact when the context offers no index).
 */
function registerContactHistory(services: Record<string, unknown>, crm: CrmService): void {
  type Row = Record<string, unknown>;
  const conv = services.conversations as
    | {
        listContacts?: (f: { customerIds: string[] }) => Promise<Row[]>;
        recentContacts?: (customerIds: string[], limit: number) => Promise<Row[]>;
      }
    | undefined;
  const recent = conv?.recentContacts?.bind(conv);
  const list = conv?.listContacts?.bind(conv);
  if (!recent && !list) return;
  crm.registerHistorySource('contacts', async (customerId, limit) =>
    (recent
      ? await recent([customerId], limit)
      : await (list as NonNullable<typeof list>)({ customerIds: [customerId] })
    )
      .map((c) => ({
        kind: `contact.${String(c.channel)}`,
        id: String(c.id),
        at: String(c.createdAt),
        summary: `${String(c.state)}${c.wrapUpCode ? ` · ${String(c.wrapUpCode)}` : ''}`,
      }))
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, limit),
  );
}

/** CRM context: store `crm` (personal fields sealed per customer), routes under /api/crm. */
export const crmModule: BranchModule = {
  name: 'crm',
  async init(ctx) {
    const raw = await ctx.openStore('crm');
    const store = new EncryptedDocStore(raw, {
      crypto: ctx.services.crypto,
      fields: CRM_SEALED_FIELDS,
      keyIdFor: crmKeyIdFor,
    });
    const crm = new CrmService(store, {
      customers: ctx.services.customers,
      bus: ctx.services.bus,
      recordRead: ctx.recordRead,
    });
    await crm.start();
    ctx.provide('crm', crm);
    const unregister = registerSections(ctx.services.customers, crm);
    registerContactHistory(ctx.services as Record<string, unknown>, crm);
    return {
      routes: [crmRoutes(crm), crmWebhookRoutes(crm)],
      close: async () => {
        unregister();
        await crm.close();
      },
    };
  },
};
