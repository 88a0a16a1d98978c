import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  type AuditLog,
  type AuditSigner,
  attachAuditListener,
  auditRoutes,
  createAuditLog,
  recordPersonalDataRead,
} from './audit/index.ts';
import type { Config } from './config/index.ts';
import { CUSTOMER_SEALED_FIELDS, CustomerService, customerRoutes } from './customers/index.ts';
import { EventBus } from './events/index.ts';
import { type AppEnv, createApp, type HealthSnapshot } from './http/index.ts';
import { IdentityService, identityRoutes } from './identity/index.ts';
import type { BranchModule, ModuleContext, ModuleInstance } from './modules.ts';
import { type CryptoFacade, type DocStore, EncryptedDocStore } from './storage/index.ts';

/** Opens one database per bounded context (LevelDB in production, memory in the Deno smoke test). */
export type StoreFactory = (name: string) => Promise<DocStore>;

export interface Core {
  bus: EventBus;
  crypto: CryptoFacade;
  identity: IdentityService;
  audit: AuditLog;
  customers: CustomerService;
  app: OpenAPIHono<AppEnv>;
  stores: DocStore[];
  services: ModuleContext['services'];
  /** Modules' own WebSocket endpoints and public paths, for `serveNode`. */
  upgrades: NonNullable<ModuleInstance['upgrades']>;
  publicRoutes: NonNullable<ModuleInstance['publicRoutes']>;
  /** Starts the modules' Node-only listeners (SMTP, SIP, …). */
  listen(): Promise<void>;
  close(): Promise<void>;
}

export interface ComposeOptions {
  config: Config;
  crypto: CryptoFacade;
  openStore: StoreFactory;
  signer: AuditSigner;
  health: (request?: { selfTest?: boolean }) => Promise<HealthSnapshot>;
  clientIp?: (c: Context<AppEnv>) => string;
  staticHandler?: Parameters<typeof createApp>[0]['staticHandler'];
  version?: string;
  /** Contexts after the core, in dependency order (main passes MODULES from module-list.ts). */
  modules?: BranchModule[];
}

/**
 * Stores → services → HTTP app, with no sockets or timers of its own, so the
 * same wiring serves Node (`main.ts`) and Deno (`deno-entry.ts`).
 */
export async function composeCore(options: ComposeOptions): Promise<Core> {
  const { config, crypto } = options;
  const bus = new EventBus();
  const raw = {
    identity: await options.openStore('identity'),
    audit: await options.openStore('audit'),
    customers: await options.openStore('customers'),
  };
  const audit = await createAuditLog(raw.audit, {
    signer: options.signer,
    bus,
    // The chain follows the crypto suite (SM3 under gm), switching at the next record after a migration.
    hashAlg: () => crypto.suite.hashAlg,
  });
  const detachAudit = attachAuditListener(bus, audit);
  const identityStore = new EncryptedDocStore(raw.identity, { crypto, fields: ['totpSecret'] });
  const identity = new IdentityService(identityStore, bus, { idleMinutes: config.sessionIdleMinutes });
  const customerStore = new EncryptedDocStore(raw.customers, {
    crypto,
    fields: [...CUSTOMER_SEALED_FIELDS],
    keyIdFor: (doc) => (typeof doc._id === 'string' && doc._id.startsWith('cust:') ? doc._id : 'pii'),
  });
  const customers = new CustomerService(customerStore, {
    index: crypto,
    bus,
    phoneRegion: config.phoneRegion,
    shredder: { shred: async (keyId) => void (await crypto.shred(keyId)) },
    auditRead: async (actor, customerId, purpose) => {
      await recordPersonalDataRead(audit, {
        actor: actor.userId,
        target: `customer:${customerId}`,
        action: `customer.${purpose}`,
        ...(actor.source === undefined ? {} : { source: actor.source }),
      });
    },
  });
  const recordRead: ModuleContext['recordRead'] = async (read) => {
    await recordPersonalDataRead(audit, read);
  };
  const services: ModuleContext['services'] = {
    config,
    bus,
    crypto,
    audit,
    identity,
    customers,
    health: () => options.health(),
    auditSigner: options.signer,
  };
  const extra: DocStore[] = [];
  const instances: ModuleInstance[] = [];
  for (const mod of options.modules ?? []) {
    const ctx: ModuleContext = {
      config,
      services,
      recordRead,
      openStore: async (name) => {
        const store = await options.openStore(name);
        extra.push(store);
        return store;
      },
      provide: (key, value) => {
        (services as Record<string, unknown>)[key] = value;
      },
    };
    instances.push(await mod.init(ctx));
  }
  const app = createApp({
    resolveSession: identity.resolveSession,
    health: options.health,
    maxBodyBytes: config.maxBodyBytes,
    mount: [
      ['/api', identityRoutes(identity)],
      ['/api', auditRoutes(audit)],
      ['/api', customerRoutes(customers)],
      ...instances.flatMap((m) => (m.routes ?? []).map((r) => ['/api', r] as [string, typeof r])),
    ],
    ...(options.clientIp ? { clientIp: options.clientIp } : {}),
    ...(options.staticHandler ? { staticHandler: options.staticHandler } : {}),
    ...(options.version ? { version: options.version } : {}),
  });
  let closing: Promise<void> | undefined;
  return {
    bus,
    crypto,
    identity,
    audit,
    customers,
    app,
    stores: [...Object.values(raw), ...extra],
    services,
    upgrades: instances.flatMap((m) => m.upgrades ?? []),
    publicRoutes: instances.flatMap((m) => m.publicRoutes ?? []),
    async listen() {
      for (const m of instances) await m.listen?.();
    },
    close() {
      closing ??= (async () => {
        for (const m of [...instances].reverse()) await m.close?.();
        for (const s of extra) await s.close();
        detachAudit();
        await identity.close();
        await audit.close();
        bus.close();
        for (const s of Object.values(raw)) await s.close();
      })();
      return closing;
    },
  };
}
