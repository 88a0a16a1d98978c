/**
 * Customers: profiles with personal fields sealed per customer, handles
 * (phone, email, WeChat/WeCom ids, web visitors) looked up through a blind
 * index, linking rules, reversible merges, audited reads, crypto-shredding.
 * @example
 * const customers = new CustomerService(encryptedStore, { index: keyRing, bus, auditRead });
 * const c = await customers.create({ name: 'Li Lei', phone: '+8613800138000' }, { userId: 'u1' });
 * const { customerId } = await customers.resolve([{ kind: 'email', value: 'li@example.cn' }], { actor });
 */

export type { CustomersErrorCode } from './errors.ts';
export { CustomersError } from './errors.ts';
/** @example parsePhone('010-62345678 转123', 'CN').value // '+861062345678;ext=123' */
export type { ParsedPhone } from './phone.ts';
export { isPhoneRegion, parsePhone } from './phone.ts';
/**
 * HTTP routes for customers; `customerView` masks a profile by the caller's role.
 * @example app.route('/api', customerRoutes(customers));
 */
export { actorOf, customerRoutes, customerView } from './routes.ts';
export type { ReadAuditor } from './service.ts';
/**
 * The customer service (see the module example above).
 * @example await customers.merge(sourceId, targetId, { userId: 'u1' });
 */
export { CustomerService } from './service.ts';
export type {
  Actor,
  BlindIndexer,
  Customer,
  CustomerHandle,
  CustomerInput,
  ErasureGuard,
  ProfileSection,
  Resolution,
  Shredder,
} from './types.ts';
/** @example new EncryptedDocStore(raw, { crypto, fields: [...CUSTOMER_SEALED_FIELDS] }) */
export { CUSTOMER_SEALED_FIELDS } from './types.ts';
/** @example normalisePhone('139 0000 1111', 'CN') // '+8613900001111' */
export { isValidBankCard, isValidIdCard, normalisePhone } from './validate.ts';
