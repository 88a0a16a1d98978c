/**
 * CRM: custom profile fields, orders, products and warranties linked to
 * customers; CSV/XLSX import; external CRM connectors (REST, cache, timeout,
 * circuit breaker, signed webhooks); screen pop for offered contacts.
 * @example
 * const crm = new CrmService(encryptedStore, { customers, bus, recordRead });
 * await crm.start();
 * const report = await crm.import(csvBytes, { kind: 'orders', format: 'csv', actor });
 * const pop = await crm.screenPop(customerId, { userId, permissions });
 */

/**
 * Closed → open → half-open circuit breaker.
 * @example
 * const b = new CircuitBreaker({ failureThreshold: 3, openMs: 30_000 });
 * if (b.tryAcquire()) try { await call(); b.success(); } catch { b.failure(); }
 */
export { type BreakerState, CircuitBreaker } from './breaker.ts';
/**
 * REST connector config schema and connector.
 * @example
 * const conn = new CrmConnector(ConnectorConfigSchema.parse(json));
 * const { status, fields } = await conn.lookup('EXT-1', { timeoutMs: 150 });
 */
export {
  type ConnectorConfig,
  type ConnectorConfigInput,
  ConnectorConfigSchema,
  type ConnectorHealth,
  CrmConnector,
} from './connector.ts';
/**
 * Coded CRM errors (CRM_IMPORT_INVALID, CRM_WEBHOOK_SIGNATURE, …).
 * @example
 * if (err instanceof CrmError && err.code === 'CRM_WEBHOOK_REPLAY') ignore();
 */
export { CrmError, type CrmErrorCode } from './errors.ts';
/**
 * Deterministic customer id for an external CRM id (re-import safe).
 * @example
 * customerIdFor('EXT-1'); // same UUID every time
 */
export { CRM_SEALED_FIELDS, crmKeyIdFor, customerIdFor } from './ids.ts';
/**
 * The CRM module for module-list.ts.
 * @example
 * export const MODULES = [crmModule];
 */
export { crmModule } from './module.ts';
/**
 * Hono sub-apps (session routes, public webhook route).
 * @example
 * app.route('/api', crmRoutes(crm));
 */
export { crmRoutes, crmWebhookRoutes } from './routes.ts';
/**
 * The CRM service.
 * @example
 * crm.registerHistorySource('tickets', (customerId, limit) => tickets.historyFor(customerId, limit));
 */
export { type CrmOptions, CrmService, OFFER_EVENTS } from './service.ts';
export type * from './types.ts';
/**
 * Webhook signing as the external CRM does it (for tests and integration docs).
 * @example
 * const sig = signWebhook(secret, Math.floor(Date.now() / 1000), body);
 */
export { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './webhook.ts';
