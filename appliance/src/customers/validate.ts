import { parsePhone } from './phone.ts';

/**
 * The canonical phone value for the blind index, read as dialled in `region`:
 * ('13900001111', 'CN') → '+8613900001111'. Throws CUSTOMERS_INVALID_FIELD.
 */
export function normalisePhone(raw: string, region: string): string {
  return parsePhone(raw, region).value;
}

/** Chinese resident ID (18 chars, ISO 7064 MOD 11-2 check digit). */
export function isValidIdCard(id: string): boolean {
  if (!/^\d{17}[\dX]$/i.test(id)) return false;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = w.reduce((s, wi, i) => s + wi * Number(id[i]), 0);
  return '10X98765432'[sum % 11] === id[17]!.toUpperCase();
}

/** Payment card number by Luhn, 12–19 digits. */
export function isValidBankCard(raw: string): boolean {
  const d = raw.replace(/\s|-/g, '');
  if (!/^\d{12,19}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) n = n * 2 > 9 ? n * 2 - 9 : n * 2;
    sum += n;
  }
  return sum % 10 === 0;
}
