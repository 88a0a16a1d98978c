/** CRM console messages (English). */
export const crmEn = {
  'nav.crm': 'Customers (CRM)',
  'crm.phone': 'Phone number',
  'crm.search': 'Find',
  'crm.orders': 'Orders',
  'crm.warranties': 'Warranty',
  'crm.history': 'Service history',
  'crm.external': 'External CRM',
  'crm.externalUnavailable': 'The external CRM did not answer; showing what this branch holds.',
  'crm.browse': 'List customers',
  'crm.more': 'Show more',
  'crm.import': 'Import',
  'crm.reportSummary': '{rows} rows read, {imported} imported',
} as const;
