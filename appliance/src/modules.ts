import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AuditLog, AuditSigner } from './audit/index.ts';
import type { Config } from './config/index.ts';
import type { CustomerService } from './customers/index.ts';
import type { EventBus } from './events/index.ts';
import type { AppEnv, PublicRoute, UpgradeHandler } from './http/index.ts';
import type { IdentityService } from './identity/index.ts';
import type { CryptoFacade, DocStore } from './storage/index.ts';

/**
 * Services one module offers the next. The core fills the first five; each
 * module adds its own by augmenting this interface from its context:
 *
 *   declare module '../modules.ts' { interface Services { tickets: TicketService } }
 */
export interface Services {
  config: Config;
  bus: EventBus;
  crypto: CryptoFacade;
  audit: AuditLog;
  identity: IdentityService;
  customers: CustomerService;
  /** The appliance's health snapshot (`/healthz`): version, checks, system figures. */
  health: () => Promise<object>;
  /** The audit Ed25519 key, for other signed evidence (recording exports). */
  auditSigner: AuditSigner;
}

export interface ModuleContext {
  readonly config: Config;
  /** Services of the core and of every module initialised before this one. */
  readonly services: Partial<Services> &
    Pick<Services, 'config' | 'bus' | 'crypto' | 'audit' | 'identity' | 'customers'>;
  /** One database per bounded context (LevelDB under `<dataDir>/db/<name>`; memory in Deno/tests). */
  openStore(name: string): Promise<DocStore>;
  provide<K extends keyof Services>(key: K, value: Services[K]): void;
  /** Appends a personal-data read to the audit trail (PIPL: every read is audited). */
  recordRead(read: {
    actor: string;
    target: string;
    source?: string;
    action?: string;
    details?: Record<string, unknown>;
  }): Promise<void>;
}

export interface ModuleInstance {
  /** Hono sub-apps mounted under `/api`. */
  routes?: Array<OpenAPIHono<AppEnv>>;
  /** WebSocket endpoints of their own (Node only), e.g. the widget's `/widget/ws`. */
  upgrades?: UpgradeHandler[];
  /** Public non-API paths served outside the console's CSP/session middleware (Node only). */
  publicRoutes?: PublicRoute[];
  /**
   * Node-only listeners (SMTP, SIP, timers) started by `main.ts` after HTTP is up;
   * the Deno smoke test never calls it.
   */
  listen?(): Promise<void>;
  /** Idempotent; closes what `init`/`listen` opened, not the stores (the core closes those). */
  close?(): Promise<void>;
}

/** A bounded context plugged into the appliance. Listed in `module-list.ts`, in dependency order. */
export interface BranchModule {
  readonly name: string;
  init(ctx: ModuleContext): Promise<ModuleInstance>;
}
