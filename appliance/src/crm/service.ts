import type { Readable } from 'node:stream';
import type { Actor, CustomerService } from '../customers/index.ts';
import type { DomainEvent, EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { DocStore } from '../storage/index.ts';
import {
  type ConnectorConfig,
  type ConnectorConfigInput,
  ConnectorConfigSchema,
  type ConnectorHealth,
  CrmConnector,
} from './connector.ts';
import { CrmError } from './errors.ts';
import { ids } from './ids.ts';
import { type ImportOptions, importFile } from './importer.ts';
import { assembleScreenPop } from './screenpop.ts';
import type { FieldDef, HistorySource, ImportReport, ScreenPop, Viewer } from './types.ts';
import { fieldDefProblem } from './validate.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from './webhook.ts';

const log = createLogger('crm');

/** Events that mean "a contact is being offered to an agent"; whichever the routing context publishes. */
export const OFFER_EVENTS = ['contact.offered', 'routing.offer_created'];

export interface CrmOptions {
  customers: CustomerService;
  bus: EventBus;
  recordRead: (read: { actor: string; target: string; source?: string; action?: string }) => Promise<void>;
  maxImportBytes?: number;
  /** Screen-pop budget for the external CRM (ms). */
  screenPopBudgetMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

type Meta = { actor: string; source?: string };
const metaOf = (a: Actor): Meta => ({ actor: a.userId, ...(a.source ? { source: a.source } : {}) });

/**
 * CRM: custom profile fields, orders, products and warranties beside the core
 * customer; file import; external CRM connectors with webhooks; screen pop.
 */
export class CrmService {
  #store: DocStore;
  #opts: CrmOptions;
  #connectors = new Map<string, CrmConnector>();
  #history = new Map<string, HistorySource>();
  #defs: FieldDef[] | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(store: DocStore, options: CrmOptions) {
    this.#store = store;
    this.#opts = options;
  }

  get budgetMs(): number {
    return this.#opts.screenPopBudgetMs ?? 150;
  }

  /** Loads connector configs and starts listening for offered contacts. */
  async start(): Promise<void> {
    for (const doc of await this.#store.list<ConnectorConfig>({ prefix: 'conn:' })) {
      const { _id, _rev, type, ...cfg } = doc as typeof doc & { type: string };
      this.#install(ConnectorConfigSchema.parse(cfg));
    }
    this.#unsubscribe ??= this.#opts.bus.subscribe('*', (e) => this.#onEvent(e));
  }

  async fieldDefs(): Promise<FieldDef[]> {
    this.#defs ??= (
      await this.#store.list<Omit<FieldDef, 'type'> & { kind: FieldDef['type'] }>({ prefix: 'fdef:' })
    ).map(({ _id, _rev, kind, ...d }) => ({ ...d, type: kind }));
    return this.#defs;
  }

  async defineField(def: FieldDef, actor: Actor): Promise<FieldDef> {
    const problem = fieldDefProblem(def);
    if (problem)
      throw new CrmError('CRM_INVALID_FIELD', problem, { status: 400, details: { field: def.name } });
    const { type, ...rest } = def;
    const id = ids.field(def.name);
    const prior = await this.#store.get(id);
    await this.#store.put({ _id: id, ...rest, kind: type, ...(prior ? { _rev: prior._rev } : {}) });
    this.#defs = undefined;
    await this.#opts.bus.publish('crm.field_defined', { name: def.name, type, pii: def.pii }, metaOf(actor));
    return def;
  }

  import(source: Readable | Uint8Array, options: ImportOptions & { actor: Actor }): Promise<ImportReport> {
    return importFile(
      {
        store: this.#store,
        customers: this.#opts.customers,
        bus: this.#opts.bus,
        defs: () => this.fieldDefs(),
        maxBytes: this.#opts.maxImportBytes ?? 50 * 1024 * 1024,
      },
      source,
      options,
    );
  }

  async configureConnector(input: ConnectorConfigInput, actor: Actor): Promise<ConnectorHealth> {
    const cfg = ConnectorConfigSchema.parse(input);
    const id = ids.connector(cfg.id);
    const prior = await this.#store.get(id);
    await this.#store.put({ _id: id, type: 'connector', ...cfg, ...(prior ? { _rev: prior._rev } : {}) });
    const conn = this.#install(cfg);
    await this.#opts.bus.publish('crm.connector_configured', { connectorId: cfg.id }, metaOf(actor));
    return conn.health();
  }

  /** Breaker state and cache size per connector (for /healthz and the admin page). */
  health(): ConnectorHealth[] {
    return [...this.#connectors.values()].map((c) => c.health());
  }

  /** Adds a service-history source (tickets, conversations …) to the screen pop. */
  registerHistorySource(name: string, source: HistorySource): void {
    this.#history.set(name, source);
  }

  screenPop(customerId: string, viewer: Viewer, options: { budgetMs?: number } = {}): Promise<ScreenPop> {
    return assembleScreenPop(
      {
        store: this.#store,
        customers: this.#opts.customers,
        connectors: () => [...this.#connectors.values()],
        history: () => [...this.#history.entries()],
        defs: () => this.fieldDefs(),
        recordRead: this.#opts.recordRead,
      },
      customerId,
      { viewer, budgetMs: options.budgetMs ?? this.budgetMs },
    );
  }

  /** Verifies and applies an inbound webhook; a repeated event id rejects with CRM_WEBHOOK_REPLAY. */
  async webhook(
    connectorId: string,
    rawBody: string,
    headers: (name: string) => string | undefined,
  ): Promise<{ eventId: string; applied: string[] }> {
    const conn = this.#connectors.get(connectorId);
    if (!conn)
      throw new CrmError('CRM_CONNECTOR_NOT_FOUND', `No connector [id:${connectorId}]`, { status: 404 });
    const event = verifyWebhook(
      rawBody,
      { signature: headers(SIGNATURE_HEADER), timestamp: headers(TIMESTAMP_HEADER) },
      { secret: conn.config.webhookSecret, windowS: conn.config.webhookWindowS, nowMs: this.#now() },
    );
    const seenId = ids.webhookEvent(connectorId, event.eventId);
    if (await this.#store.get(seenId)) {
      throw new CrmError('CRM_WEBHOOK_REPLAY', `Event already processed [eventId:${event.eventId}]`, {
        status: 409,
      });
    }
    await this.#store.create({ _id: seenId, type: 'webhook', at: new Date(this.#now()).toISOString() });
    const applied: string[] = [];
    if (event.externalId) {
      conn.invalidate(event.externalId);
      if (event.data) applied.push(...(await this.#applyExternal(conn, event.externalId, event.data)));
    }
    await this.#opts.bus.publish(
      'crm.webhook_received',
      { connectorId, eventId: event.eventId, ...(event.externalId ? { externalId: event.externalId } : {}) },
      { actor: `connector:${connectorId}` },
    );
    return { eventId: event.eventId, applied };
  }

  close(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    return Promise.resolve();
  }

  #now(): number {
    return (this.#opts.now ?? Date.now)();
  }

  #install(cfg: ConnectorConfig): CrmConnector {
    const conn = new CrmConnector(cfg, {
      now: () => this.#now(),
      ...(this.#opts.fetch ? { fetch: this.#opts.fetch } : {}),
      onBreaker: (state) => {
        log.warn(`connector breaker ${state} [connector:${cfg.id}]`);
        void this.#opts.bus.publish(
          'crm.breaker_changed',
          { connectorId: cfg.id, state },
          { actor: 'system' },
        );
      },
    });
    this.#connectors.set(cfg.id, conn);
    return conn;
  }

  /** Copies mapped fields of a changed external record onto the local profile (known customers only). */
  async #applyExternal(
    conn: CrmConnector,
    externalId: string,
    data: Record<string, unknown>,
  ): Promise<string[]> {
    const ext = await this.#store.get<{ ref: string }>(ids.external(externalId));
    if (!ext) return [];
    const defs = new Map((await this.fieldDefs()).map((d) => [d.name, d]));
    const profileId = ids.profile(ext.ref);
    const prof = await this.#store.get<{ fields: Record<string, unknown>; sealed?: string | null }>(
      profileId,
    );
    const fields = { ...(prof?.fields ?? {}) };
    const sealed = prof?.sealed ? (JSON.parse(prof.sealed) as Record<string, unknown>) : {};
    const applied: string[] = [];
    for (const [extKey, local] of Object.entries(conn.config.mapping)) {
      const v = data[extKey];
      const def = defs.get(local);
      if (!def || (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')) continue;
      (def.pii ? sealed : fields)[local] = v;
      applied.push(local);
    }
    if (applied.length === 0) return applied;
    await this.#store.put({
      _id: profileId,
      ...(prof ? { _rev: prof._rev } : {}),
      type: 'profile',
      customerId: ext.ref,
      externalId,
      fields,
      ...(Object.keys(sealed).length > 0 ? { sealed: JSON.stringify(sealed) } : {}),
      updatedAt: new Date(this.#now()).toISOString(),
    });
    await this.#opts.bus.publish(
      'crm.profile_updated',
      { customerId: ext.ref, fields: applied },
      {
        actor: `connector:${conn.config.id}`,
      },
    );
    return applied;
  }

  /** Pre-assembles the pop (warming the connector cache) and tells the agent's console to show it. */
  async #onEvent(e: DomainEvent): Promise<void> {
    if (!OFFER_EVENTS.includes(e.type)) return;
    const d = e.data as { agentId?: unknown; userId?: unknown; customerId?: unknown; contactId?: unknown };
    const agent =
      typeof d.agentId === 'string' ? d.agentId : typeof d.userId === 'string' ? d.userId : undefined;
    if (!agent || typeof d.customerId !== 'string') return;
    const pop = await this.screenPop(d.customerId, { userId: agent, permissions: new Set() });
    // Personal data stays out of the event: audit copies every event's data into its append-only log.
    await this.#opts.bus.publish(
      'crm.screenpop_ready',
      {
        recipientUserId: agent,
        customerId: d.customerId,
        ...(typeof d.contactId === 'string' ? { contactId: d.contactId } : {}),
        orders: pop.orders.length,
        warranties: pop.warranties.length,
        external: pop.external.status,
      },
      { actor: 'system' },
    );
  }
}
