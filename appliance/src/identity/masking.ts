import type { Permission } from '../contracts/index.ts';

/** Personal fields whose display depends on `customers.read_sensitive`. */
export type SensitiveField = 'idCard' | 'bankCard' | 'phone' | 'email';

/** Bank card: first 4 and last 4 digits, `6222 **** **** 1234` (PCI DSS allows at most first 6 / last 4). */
export function maskBankCard(value: string): string {
  const digits = value.replace(/[\s-]/g, '');
  if (digits.length < 12) return '*'.repeat(digits.length);
  return `${digits.slice(0, 4)} **** **** ${digits.slice(-4)}`;
}

/** Resident ID card: region code (first 6) and last 4 kept, birth date hidden: `110101********1234`. */
export function maskIdCard(value: string): string {
  const v = value.replace(/\s/g, '');
  if (v.length < 11) return '*'.repeat(v.length);
  return `${v.slice(0, 6)}${'*'.repeat(v.length - 10)}${v.slice(-4)}`;
}

/** Phone: first 3 and last 4 digits, `138****5678`; a leading `+` is kept. */
export function maskPhone(value: string): string {
  const plus = value.trim().startsWith('+') ? '+' : '';
  const digits = value.replace(/\D/g, '');
  if (digits.length < 8) return plus + '*'.repeat(digits.length);
  return `${plus}${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
}

/** Email: first character of the local part, then `***@domain`. */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 1) return '***';
  return `${value[0]}***${value.slice(at)}`;
}

const MASKS: Record<SensitiveField, (v: string) => string> = {
  idCard: maskIdCard,
  bankCard: maskBankCard,
  phone: maskPhone,
  email: maskEmail,
};

/** The value as the holder of `permissions` may see it: clear with `customers.read_sensitive`, masked otherwise. */
export function maskFor(permissions: ReadonlySet<Permission>, field: SensitiveField, value: string): string {
  if (permissions.has('customers.read_sensitive')) return value;
  return MASKS[field](value);
}
