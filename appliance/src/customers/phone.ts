import {
  type CountryCode,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import { BadInputError } from '../contracts/index.ts';
import { CustomersError } from './errors.ts';

/** A phone number as the blind index keys it, with what was typed or sent. */
export interface ParsedPhone {
  /** E.164 (`+8613900001111`); a short service number is `+<country code><digits>` (`+8695588`). */
  e164: string;
  /** Extension digits, when the input named one (`ext 123`, `转123`). */
  ext?: string;
  /** The canonical handle value: E.164, with `;ext=` (RFC 3966) when there is an extension. */
  value: string;
  kind: 'mobile' | 'fixed' | 'service' | 'other';
  /** The input as received (NFKC, trimmed), kept beside the canonical form. */
  raw: string;
}

/**
 * Short service numbers that are not E.164 but do call and get called (bank
 * and carrier hotlines 95xxx/96xxx, 10xxx, government 12xxx). Only regions
 * listed here accept short numbers; libphonenumber-js has no short-number data.
 */
const SHORT_NUMBERS: Partial<Record<CountryCode, RegExp>> = {
  CN: /^(?:9[56]\d{3,4}|1[0-2]\d{3})$/,
};

// '转' (transfer to) and '分机' (extension) are how Chinese forms write an extension.
const EXTENSION_WORDS = /\s*(?:转|分机|ext\.?|x)\s*(?=\d+\s*$)/iu;

const invalid = (reason: string) =>
  new CustomersError('CUSTOMERS_INVALID_FIELD', `Invalid phone number: ${reason}`, {
    details: { field: 'phone' },
  });

/** Whether `region` is an ISO 3166 alpha-2 code the phone metadata knows. */
export function isPhoneRegion(region: string): region is CountryCode {
  return isSupportedCountry(region);
}

/**
 * Parses a phone number as someone in `region` would dial it: national forms
 * (`13900001111`, `010-62345678`), international (`+86…`, `0086…`),
 * extensions, and short service numbers. Throws CUSTOMERS_INVALID_FIELD.
 * @example parsePhone('010-62345678 转123', 'CN').value // '+861062345678;ext=123'
 */
export function parsePhone(input: string, region: string): ParsedPhone {
  if (!isPhoneRegion(region))
    throw new BadInputError('CUSTOMERS_INVALID_FIELD', `Unknown phone region: ${JSON.stringify(region)}`);
  const raw = input.normalize('NFKC').trim();
  if (raw === '' || raw.length > 64) throw invalid('empty or too long');
  const dialled = raw.replace(EXTENSION_WORDS, ' ext ');
  const short = shortNumber(dialled, region);
  if (short) return { ...short, raw };
  const p = parsePhoneNumberFromString(dialled, region);
  if (!p?.isValid()) throw invalid(`"${raw}" is not a number in ${region} or in international form`);
  const type = p.getType();
  const kind =
    type === 'MOBILE'
      ? 'mobile'
      : type === 'FIXED_LINE' || type === 'FIXED_LINE_OR_MOBILE'
        ? 'fixed'
        : type === 'TOLL_FREE' || type === 'SHARED_COST' || type === 'UAN' || type === 'PREMIUM_RATE'
          ? 'service'
          : 'other';
  const e164 = p.number;
  return p.ext
    ? { e164, ext: p.ext, value: `${e164};ext=${p.ext}`, kind, raw }
    : { e164, value: e164, kind, raw };
}

/** `95588` or `+8695588` in CN: a service number keyed as country code + digits. */
function shortNumber(dialled: string, region: CountryCode): Omit<ParsedPhone, 'raw'> | undefined {
  const pattern = SHORT_NUMBERS[region];
  if (!pattern) return undefined;
  const cc = getCountryCallingCode(region);
  const compact = dialled.replace(/[\s()-]/g, '');
  const digits = compact.startsWith(`+${cc}`)
    ? compact.slice(cc.length + 1)
    : compact.startsWith(`00${cc}`)
      ? compact.slice(cc.length + 2)
      : compact;
  if (!pattern.test(digits)) return undefined;
  const e164 = `+${cc}${digits}`;
  return { e164, value: e164, kind: 'service' };
}

/**
 * Values the first normaliser (before regions) may have stored for this number:
 * it put a `+` before the digits, so `13900001111` typed in a CN branch became
 * `+13900001111`. Lookups try these after the E.164 key so handles stored then
 * are still found; a national form counts only for numbers of the branch's region.
 */
export function legacyPhoneValues(input: string, region: string): string[] {
  const out = new Set<string>();
  const typed = legacy(
    input
      .normalize('NFKC')
      .trim()
      .replace(/[^\d+]/g, ''),
  );
  if (typed) out.add(typed);
  let current: string | undefined;
  try {
    const p = parsePhone(input, region);
    current = p.value;
    const cc = getCountryCallingCode(region as CountryCode);
    if (p.e164.startsWith(`+${cc}`) && !p.ext) {
      const national = legacy(p.e164.slice(cc.length + 1));
      if (national) out.add(national);
    }
  } catch {
    // Not a number today: only what the old normaliser made of it can match.
  }
  if (current) out.delete(current);
  return [...out];
}

function legacy(digits: string): string | undefined {
  const e164 = digits.startsWith('+') ? digits : `+${digits}`;
  return /^\+[1-9]\d{6,14}$/.test(e164) ? e164 : undefined;
}
