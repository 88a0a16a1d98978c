import type { ApiClient } from '../../data/api.ts';

export interface ScreenPopView {
  customerId: string;
  customer: Record<string, unknown>;
  profile: { externalId?: string; fields: Record<string, string | number | boolean> };
  orders: Array<{ orderNo: string; date: string; amount: number; status: string }>;
  warranties: Array<{ serial: string; sku: string; end: string; status: string }>;
  history: Array<{ kind: string; id: string; at: string; summary: string }>;
  external: { status: string; fields: Record<string, unknown> };
  masked: boolean;
}

export interface ImportReportView {
  rows: number;
  imported: number;
  unchanged: number;
  committed: boolean;
  errors: Array<{ row: number; field: string; reason: string }>;
  truncated: boolean;
}

export const fetchScreenPop = (api: ApiClient, id: string) =>
  api.get<ScreenPopView>(`/api/crm/customers/${encodeURIComponent(id)}/screenpop`);

export const findByPhone = (api: ApiClient, phone: string) =>
  api.get<{ customers: Array<{ id: string; name: string; phone?: string }> }>('/api/customers', { phone });

/** One page of customers (masked by role); pass `nextCursor` back as `cursor` for the next. */
export const listCustomers = (api: ApiClient, cursor?: string) =>
  api.get<{ customers: Array<{ id: string; name: string; phone?: string }>; nextCursor?: string }>(
    '/api/customers',
    cursor ? { cursor } : {},
  );
export const importFile = (api: ApiClient, body: { kind: string; format: 'csv' | 'xlsx'; data: string }) =>
  api.post<ImportReportView>('/api/crm/import', body);
