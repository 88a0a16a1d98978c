import { createHash } from 'node:crypto';

/** Natural keys → document ids, so a re-import rewrites the same documents instead of adding new ones. */
const enc = (s: string) => encodeURIComponent(s);

export const ids = {
  field: (name: string) => `fdef:${name}`,
  profile: (customerId: string) => `prof:${customerId}`,
  external: (externalId: string) => `ext:${enc(externalId)}`,
  order: (customerId: string, orderNo: string) => `ord:${customerId}:${enc(orderNo)}`,
  orders: (customerId: string) => `ord:${customerId}:`,
  warranty: (customerId: string, serial: string) => `war:${customerId}:${enc(serial)}`,
  warranties: (customerId: string) => `war:${customerId}:`,
  product: (sku: string) => `prod:${enc(sku)}`,
  connector: (id: string) => `conn:${id}`,
  webhookEvent: (connectorId: string, eventId: string) => `whk:${connectorId}:${enc(eventId)}`,
};

/**
 * The customer id for an external CRM id: a name-based UUID (v5 layout over
 * SHA-256), so importing the same external customer twice yields one customer.
 */
export function customerIdFor(externalId: string): string {
  const h = createHash('sha256').update(`branchline:crm:${externalId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Personal fields the encrypting store seals: profile PII values, delivery address, connector secret. */
export const CRM_SEALED_FIELDS = ['sealed', 'address', 'secret'];

/** Customer documents are sealed under the customer's key (crypto-shredding); connector secrets under `secret`. */
export function crmKeyIdFor(doc: Record<string, unknown>): string {
  if (typeof doc.customerId === 'string') return `cust:${doc.customerId}`;
  return doc.type === 'connector' ? 'secret' : 'pii';
}
