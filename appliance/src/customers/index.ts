/**
 * Customers: profiles with personal fields sealed per customer, caller-ID
 * lookup through a blind index, audited reads, crypto-shredding.
 * @example
 * const customers = new CustomerService(encryptedStore, { index: keyRing, bus, auditRead });
 * const c = await customers.create({ name: 'Li Lei', phone: '+8613800138000' }, { userId: 'u1' });
 */

export type { CustomersErrorCode } from './errors.ts';
export { CustomersError } from './errors.ts';
export { customerRoutes } from './routes.ts';
export type { Actor, ReadAuditor } from './service.ts';
export { CustomerService } from './service.ts';
export type { BlindIndexer, Customer, CustomerInput, Shredder } from './types.ts';
export { CUSTOMER_SEALED_FIELDS } from './types.ts';
export { isValidBankCard, isValidIdCard, normalisePhone } from './validate.ts';
