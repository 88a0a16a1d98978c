import type { CrmService } from './service.ts';

/** Admin-defined profile field. `pii` fields are sealed under the customer's own key. */
export interface FieldDef {
  name: string;
  label?: string;
  type: 'string' | 'number' | 'date' | 'enum' | 'bool';
  required: boolean;
  pii: boolean;
  /** Allowed values for `enum`. */
  values?: string[];
}

export type FieldValue = string | number | boolean;

/** CRM profile beside the core customer record; `fields` holds custom field values. */
export interface CrmProfile {
  customerId: string;
  externalId?: string;
  fields: Record<string, FieldValue>;
  updatedAt: string;
}

export interface OrderItem {
  sku: string;
  qty: number;
}

export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'returned';

export interface Order {
  orderNo: string;
  customerId: string;
  date: string;
  items: OrderItem[];
  amount: number;
  status: OrderStatus;
  /** Delivery address: personal data, sealed. */
  address?: string;
}

export interface Product {
  sku: string;
  name: string;
  category?: string;
  warrantyMonths?: number;
}

export type WarrantyStatus = 'active' | 'expired' | 'void' | 'claimed';

export interface Warranty {
  serial: string;
  customerId: string;
  sku: string;
  start: string;
  end: string;
  status: WarrantyStatus;
}

/** One entry of service history (tickets, conversations …) from a registered source. */
export interface HistoryItem {
  kind: string;
  id: string;
  at: string;
  summary: string;
}

export type HistorySource = (customerId: string, limit: number) => Promise<HistoryItem[]>;

export type ExternalStatus = 'ok' | 'cached' | 'timeout' | 'open' | 'error' | 'none';

/** What the agent's screen-pop card shows. Personal fields are already masked for the viewer. */
export interface ScreenPop {
  customerId: string;
  customer: Record<string, unknown>;
  profile: { externalId?: string; fields: Record<string, FieldValue> };
  orders: Order[];
  warranties: Warranty[];
  history: HistoryItem[];
  external: { status: ExternalStatus; connectorId?: string; fields: Record<string, unknown> };
  masked: boolean;
  elapsedMs: number;
}

/** Who is looking: masking follows `customers.read_sensitive`. */
export interface Viewer {
  userId: string;
  permissions: ReadonlySet<string>;
  source?: string;
}

export type ImportKind = 'customers' | 'orders' | 'warranties' | 'products';

export interface RowError {
  /** 1-based row number with the header as row 1 (= the spreadsheet row; = the CSV line when no field spans lines). */
  row: number;
  field: string;
  reason: string;
}

export interface ImportReport {
  kind: ImportKind;
  rows: number;
  imported: number;
  unchanged: number;
  committed: boolean;
  errors: RowError[];
  /** True when more errors existed than were reported. */
  truncated: boolean;
}

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    'crm.imported': { kind: ImportKind; rows: number; imported: number; unchanged: number };
    'crm.import_rejected': { kind: ImportKind; rows: number; errors: number };
    'crm.field_defined': { name: string; type: FieldDef['type']; pii: boolean };
    'crm.profile_updated': { customerId: string; fields: string[] };
    'crm.connector_configured': { connectorId: string };
    'crm.webhook_received': { connectorId: string; eventId: string; externalId?: string };
    'crm.breaker_changed': { connectorId: string; state: 'closed' | 'open' | 'half_open' };
    'crm.screenpop_ready': {
      recipientUserId: string;
      customerId: string;
      contactId?: string;
      orders: number;
      warranties: number;
      external: ExternalStatus;
    };
  }
}

declare module '../modules.ts' {
  interface Services {
    crm: CrmService;
  }
}
