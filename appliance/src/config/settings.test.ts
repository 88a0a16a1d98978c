import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { effectiveSettings, maskSecret } from './effective.ts';
import { ConfigError, loadConfig } from './load.ts';
import { SETTINGS, setting } from './settings.ts';
import { renderSettingsTable, TABLE_BEGIN, TABLE_END } from './settings-table.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
/** Variables we read but do not own: systemd's readiness socket. */
const NOT_OURS = new Set(['NOTIFY_SOCKET']);

function sources(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|mjs|js)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

const SCANNED = ['appliance/src', 'sync/src', 'scripts', 'bin'].flatMap((d) => sources(path.join(ROOT, d)));
const OWN = new Set(['settings.ts', 'settings-table.ts'].map((f) => path.join(import.meta.dirname, f)));

/** Every environment variable name the programs read: env['X'], process.env.X, or a 'BRANCHLINE_X' literal. */
function namesRead(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of SCANNED) {
    if (OWN.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    const patterns = [
      /\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g,
      /process\.env\.([A-Z][A-Z0-9_]*)/g,
      /['"](BRANCHLINE_[A-Z0-9_]+)['"]/g,
    ];
    for (const re of patterns) {
      for (const m of text.matchAll(re)) {
        if (m[1] && !found.has(m[1])) found.set(m[1], path.relative(ROOT, file));
      }
    }
  }
  return found;
}

test('every environment variable appliance, sync, scripts and bin read is declared in config/settings.ts', () => {
  const undeclared = [...namesRead()]
    .filter(([name]) => !NOT_OURS.has(name) && !SETTINGS.some((s) => s.name === name))
    .map(([name, file]) => `${name} (read in ${file})`);
  assert.deepEqual(undeclared, []);
});

test('every declared setting is read somewhere (no stale declarations)', () => {
  const read = namesRead();
  assert.deepEqual(
    SETTINGS.map((s) => s.name).filter((n) => !read.has(n)),
    [],
  );
});

test('the README settings table is the one generated from the schema', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  assert.ok(begin >= 0 && end > begin, 'README.md has the settings markers');
  assert.equal(
    readme.slice(begin, end + TABLE_END.length),
    renderSettingsTable(),
    'README.md is stale: node --import tsx scripts/gen-settings-table.ts',
  );
});

const applianceSettings = SETTINGS.filter((s) => s.program === 'appliance' || s.program === 'both');

test('loadConfig() applies exactly the declared defaults (setting one explicitly changes nothing)', () => {
  const base = loadConfig({});
  for (const s of applianceSettings) {
    if (s.default === undefined) continue;
    assert.deepEqual(loadConfig({ [s.name]: s.default }), base, `${s.name}=${s.default}`);
  }
});

test('loadConfig() enforces the declared type of each port, integer, on|off and choice setting, naming it', () => {
  const bad = (s: (typeof SETTINGS)[number]): string[] => {
    if (s.kind === 'port') return ['x', '65536'];
    if (s.kind === 'integer') return [String((s.min ?? 0) - 1), String((s.max ?? 0) + 1), '1.5'];
    if (s.kind === 'on|off') return ['yes'];
    if (s.kind === 'choice') return ['nope'];
    if (s.kind === 'url') return ['not a url'];
    return [];
  };
  // IMAP settings are checked only when IMAP polling is on.
  const imap = { BRANCHLINE_IMAP_URL: 'imaps://robot@127.0.0.1', BRANCHLINE_IMAP_PASSWORD: 'pw' };
  let checked = 0;
  for (const s of applianceSettings) {
    for (const value of bad(s)) {
      assert.throws(
        () => loadConfig({ ...imap, [s.name]: value }),
        (e: unknown) => e instanceof ConfigError && e.message.includes(s.name),
        `${s.name}=${value}`,
      );
      checked++;
    }
  }
  assert.ok(checked > 30, `checked ${checked} bad values`);
});

test('effectiveSettings() masks secrets (a password, the password part of a relay URL) and shows the rest', () => {
  const env = {
    BRANCHLINE_HTTP_PORT: '9090',
    BRANCHLINE_IMAP_URL: 'imap://robot@127.0.0.1:1143',
    BRANCHLINE_IMAP_ALLOW_PLAIN: 'on',
    BRANCHLINE_IMAP_PASSWORD: 'hunter2-imap',
    BRANCHLINE_SMTP_RELAY_URL: 'smtp://relay:s3cret-relay@mail.example:587',
  };
  const rows = effectiveSettings(env, loadConfig(env));
  const byName = new Map(rows.map((r) => [r.name, r]));
  assert.equal(rows.length, SETTINGS.length);
  assert.equal(byName.get('BRANCHLINE_IMAP_PASSWORD')?.value, '********');
  assert.equal(byName.get('BRANCHLINE_SMTP_RELAY_URL')?.value, 'smtp://relay:********@mail.example:587');
  assert.deepEqual(byName.get('BRANCHLINE_HTTP_PORT'), {
    name: 'BRANCHLINE_HTTP_PORT',
    program: 'appliance',
    value: '9090',
    source: 'environment',
  });
  assert.equal(byName.get('BRANCHLINE_SIP_TLS_PORT')?.value, '5061');
  assert.equal(byName.get('BRANCHLINE_SIP_TLS_PORT')?.source, 'default');
  assert.equal(byName.get('BRANCHLINE_HQ_URL')?.value, undefined);
  assert.doesNotMatch(JSON.stringify(rows), /hunter2|s3cret/);
  assert.equal(maskSecret('alice:pw,bob:pw2'), '********');
});

test('setting() rejects a name the schema does not declare with a TypeError', () => {
  assert.throws(() => setting('BRANCHLINE_NOPE'), TypeError);
});
