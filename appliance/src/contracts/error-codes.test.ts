import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES } from './error-codes.ts';

const SRC = path.resolve(import.meta.dirname, '..');
/** UPPER_SNAKE strings in the source that are not error codes: env names and phone number types. */
const NOT_CODES = new Set([
  // SRTP crypto suite names (RFC 4568 / RFC 7714), as they appear in SDP
  'AES_CM_128_HMAC_SHA1_80',
  'AES_CM_128_HMAC_SHA1_32',
  'AEAD_AES_128_GCM',
  'AEAD_AES_256_GCM',
  'CHAOS_KILLS',
  'CHAOS_SCALE',
  'MEDIASOUP_WORKER_BIN',
  'NOTIFY_SOCKET',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'PREMIUM_RATE',
  'SHARED_COST',
  'TOLL_FREE',
]);
const LITERAL = /(['"])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\1/g;
const DYNAMIC = /`([A-Z][A-Z0-9]*_)\$\{/g;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Drops comment lines and trailing `//` comments, so JSDoc examples do not count as uses. */
function code(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^\s*(\/\/|\/\*|\*)/.test(l))
    .map((l) => l.replace(/\s\/\/\s.*$/, ''))
    .join('\n');
}

/** Every error code the appliance source can send, with one file that uses each. */
export function scanSourceForCodes(): { used: Map<string, string>; dynamic: string[] } {
  const used = new Map<string, string>();
  const dynamic: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const rel = path.relative(SRC, file);
    const text = code(readFileSync(file, 'utf8'));
    for (const m of text.matchAll(LITERAL)) {
      const c = m[2] ?? '';
      if (c.startsWith('BRANCHLINE_') || NOT_CODES.has(c)) continue;
      if (!used.has(c)) used.set(c, rel);
    }
    for (const m of text.matchAll(DYNAMIC)) dynamic.push(`${rel}: \`${m[1]}\${…}\``);
  }
  return { used, dynamic };
}

test('every UPPER_SNAKE code in the appliance source is in the ERROR_CODES catalogue', () => {
  const { used } = scanSourceForCodes();
  const catalogue = new Set<string>(ERROR_CODES);
  const missing = [...used].filter(([c]) => !catalogue.has(c)).map(([c, f]) => `${c} (${f})`);
  assert.deepEqual(missing, [], 'add these to appliance/src/contracts/error-codes.ts and web/src/i18n');
});

test('the catalogue lists no code the source no longer uses, and no code twice', () => {
  const { used } = scanSourceForCodes();
  assert.deepEqual(
    ERROR_CODES.filter((c) => !used.has(c)),
    [],
  );
  assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
});

test('no error code is built at run time, so the catalogue can be complete', () => {
  assert.deepEqual(scanSourceForCodes().dynamic, []);
});

test('every catalogued code is UPPER_SNAKE with a context prefix', () => {
  for (const c of ERROR_CODES) assert.match(c, /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/, c);
});
