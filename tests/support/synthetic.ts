import { randomInt } from 'node:crypto';

/** A random Chinese resident ID number with a valid ISO 7064 check digit. */
export function validIdCard(): string {
  const area = String(110101 + randomInt(0, 800000)).padStart(6, '0');
  const y = 1950 + randomInt(0, 55);
  const m = String(randomInt(1, 13)).padStart(2, '0');
  const d = String(randomInt(1, 29)).padStart(2, '0');
  const seq = String(randomInt(0, 1000)).padStart(3, '0');
  const body = `${area}${y}${m}${d}${seq}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = w.reduce((s, wi, i) => s + wi * Number(body[i]), 0);
  return body + '10X98765432'[sum % 11];
}

/** A random 16-digit card number (China UnionPay-like 6222 prefix) passing Luhn. */
export function validBankCard(): string {
  let digits = `6222${Array.from({ length: 11 }, () => randomInt(0, 10)).join('')}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let n = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) n = n * 2 > 9 ? n * 2 - 9 : n * 2;
    sum += n;
  }
  digits += String((10 - (sum % 10)) % 10);
  return digits;
}

/** A random mainland mobile number in E.164. */
export function validPhone(): string {
  return `+86139${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
}
