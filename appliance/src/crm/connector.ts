import { z } from 'zod';
import { type BreakerState, CircuitBreaker } from './breaker.ts';
import type { ExternalStatus } from './types.ts';

/** JSON config of a REST connector to an external CRM. */
export const ConnectorConfigSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
    baseUrl: z.url(),
    /** Path template; `{externalId}` is replaced (URL-encoded). */
    customerPath: z.string().startsWith('/').max(200),
    /** External field (dotted path) → local profile field. */
    mapping: z.record(z.string().max(100), z.string().max(40)),
    headers: z.record(z.string().max(60), z.string().max(500)).optional(),
    cacheTtlMs: z.number().int().min(0).max(86_400_000).default(60_000),
    timeoutMs: z.number().int().min(10).max(30_000).default(150),
    failureThreshold: z.number().int().min(1).max(100).default(3),
    openMs: z.number().int().min(100).max(3_600_000).default(30_000),
    /** HMAC-SHA256 key for inbound webhooks. */
    webhookSecret: z.string().min(16).max(200),
    webhookWindowS: z.number().int().min(10).max(3600).default(300),
  })
  .strict();
export type ConnectorConfig = z.output<typeof ConnectorConfigSchema>;
export type ConnectorConfigInput = z.input<typeof ConnectorConfigSchema>;

export interface ExternalResult {
  status: ExternalStatus;
  fields: Record<string, unknown>;
}

export interface ConnectorHealth {
  id: string;
  breaker: BreakerState;
  failures: number;
  cached: number;
}

function pick(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * REST connector: GET customerPath, map external fields to local names,
 * cache answers for cacheTtlMs, abort after the per-call timeout, and skip
 * the network entirely while the circuit breaker is open. Never throws on
 * lookups: the caller always gets a status and whatever fields it has.
 */
export class CrmConnector {
  readonly config: ConnectorConfig;
  #breaker: CircuitBreaker;
  #cache = new Map<string, { at: number; fields: Record<string, unknown> }>();
  #now: () => number;
  #fetch: typeof fetch;

  constructor(
    config: ConnectorConfig,
    options: { now?: () => number; fetch?: typeof fetch; onBreaker?: (s: BreakerState) => void } = {},
  ) {
    this.config = config;
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch ?? fetch;
    this.#breaker = new CircuitBreaker({
      failureThreshold: config.failureThreshold,
      openMs: config.openMs,
      now: this.#now,
      ...(options.onBreaker ? { onChange: options.onBreaker } : {}),
    });
  }

  get breakerState(): BreakerState {
    return this.#breaker.state;
  }

  health(): ConnectorHealth {
    return {
      id: this.config.id,
      breaker: this.#breaker.state,
      failures: this.#breaker.failures,
      cached: this.#cache.size,
    };
  }

  /** Drops a cached answer (a webhook said the record changed). */
  invalidate(externalId: string): void {
    this.#cache.delete(externalId);
  }

  /** Looks a customer up; `timeoutMs` lowers the configured timeout (screen-pop budget). */
  async lookup(externalId: string, options: { timeoutMs?: number } = {}): Promise<ExternalResult> {
    const hit = this.#cache.get(externalId);
    if (hit && this.#now() - hit.at < this.config.cacheTtlMs) return { status: 'cached', fields: hit.fields };
    if (!this.#breaker.tryAcquire()) return { status: 'open', fields: {} };
    const timeout = Math.min(this.config.timeoutMs, options.timeoutMs ?? Number.POSITIVE_INFINITY);
    const url = new URL(
      this.config.customerPath.replace('{externalId}', encodeURIComponent(externalId)),
      this.config.baseUrl,
    );
    try {
      const res = await this.#fetch(url, {
        headers: { accept: 'application/json', ...(this.config.headers ?? {}) },
        signal: AbortSignal.timeout(timeout),
      });
      if (res.status === 404) {
        await res.body?.cancel();
        this.#breaker.success();
        return { status: 'ok', fields: {} };
      }
      if (!res.ok) {
        await res.body?.cancel();
        this.#breaker.failure();
        return { status: 'error', fields: {} };
      }
      const body = (await res.json()) as unknown;
      const fields: Record<string, unknown> = {};
      for (const [ext, local] of Object.entries(this.config.mapping)) {
        const v = pick(body, ext);
        if (v !== undefined) fields[local] = v;
      }
      this.#breaker.success();
      this.#cache.set(externalId, { at: this.#now(), fields });
      return { status: 'ok', fields };
    } catch (err) {
      this.#breaker.failure();
      const name = (err as Error).name;
      return { status: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'error', fields: {} };
    }
  }
}
