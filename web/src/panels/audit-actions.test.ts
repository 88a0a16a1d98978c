// Every audit action the appliance can write must have an English and a
// Chinese label: the test reads the action names from appliance/src (the event
// catalogue, merged across contexts, and literal `action:` values of direct
// appends) and checks both catalogues.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AUDIT_ACTION_CATALOGUES, actionLabel } from './audit-actions.ts';

const SRC = path.resolve(import.meta.dirname, '../../../appliance/src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Names of every domain event (each is audited) and every directly appended audit action. */
function emittedActions(): Set<string> {
  const names = new Set<string>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const block of text.matchAll(/interface EventCatalogue\s*\{([\s\S]*?)\n {0,2}\}/g))
      for (const key of (block[1] ?? '').matchAll(/^\s*'([a-z_]+\.[a-z_.]+)'\s*:/gm)) names.add(key[1] ?? '');
    for (const lit of text.matchAll(/\baction:\s*'([a-z_]+\.[a-z_.]+)'/g)) names.add(lit[1] ?? '');
    // Audited reads through a route's local `audit(c, target, 'context.verb')` helper.
    for (const lit of text.matchAll(/\baudit\(c, [^,]+, '([a-z_]+\.[a-z_.]+)'\)/g)) names.add(lit[1] ?? '');
    // Customer reads are audited as `customer.<purpose>` (compose.ts): the purposes given to customers.get().
    for (const lit of text.matchAll(/\.get\([^()]*(?:\([^()]*\))?[^()]*, (?:[\w.]+ \?\? )?'([a-z0-9_]+)'\)/g))
      if (/customers|this\.get|screenpop/.test(text)) names.add(`customer.${lit[1]}`);
    for (const lit of text.matchAll(/async get\(id: string, actor: Actor, purpose = '([a-z0-9_]+)'\)/g))
      names.add(`customer.${lit[1]}`);
  }
  return names;
}

test('the scan finds the audit actions of identity, tickets, routing and direct appends', () => {
  const names = emittedActions();
  for (const known of ['user.frozen', 'ticket.created', 'routing.offer_accepted', 'audit.exported'])
    assert.ok(names.has(known), known);
  assert.ok(names.size > 100, `only ${names.size} actions found: the scan is broken`);
});

test('every audit action the appliance emits has an English and a Chinese label', () => {
  const missing: string[] = [];
  for (const action of [...emittedActions()].sort()) {
    for (const [lang, catalogue] of Object.entries(AUDIT_ACTION_CATALOGUES)) {
      const label = (catalogue as Record<string, string>)[action];
      if (!label?.trim()) missing.push(`${lang}: ${action}`);
      else if (lang === 'zh-CN' && !/\p{Script=Han}/u.test(label))
        missing.push(`${lang} (not Chinese): ${action}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('actionLabel() translates by locale and shows an unknown action as its code', () => {
  assert.equal(actionLabel('user.frozen', 'zh-CN'), '冻结用户');
  assert.equal(actionLabel('user.frozen', 'en'), 'User frozen');
  assert.equal(actionLabel('future.thing_done', 'zh-CN'), 'future.thing_done');
});
