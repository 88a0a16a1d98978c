// Localisation as a contract: every coded value the appliance sends and the
// console shows (reasons, states, priorities, channels, QA rules and evidence,
// intents, wrap-up codes) has an en and a zh-CN label. The values are read from
// the appliance source at test time, so a new value fails here until labelled.
// Error codes and audit actions have their own scans (i18n.test.ts,
// panels/audit-actions.test.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { WRAP_UP_CODES } from '../panels/inbox/api.ts';
import { en } from './en.ts';
import { LABEL_PREFIX, type LabelKind, label, qaEvidenceText } from './labels.ts';
import { zhCN } from './zh-CN.ts';

const SRC = path.resolve(import.meta.dirname, '../../../appliance/src');
const read = (rel: string) => readFileSync(path.join(SRC, rel), 'utf8');

/** The string members of `export type <name> = 'a' | 'b' …;` (may span lines). */
function union(rel: string, name: string): string[] {
  const m = read(rel).match(new RegExp(`export type ${name} =([^;]+);`));
  assert.ok(m, `type ${name} not found in ${rel}`);
  return [...(m[1] ?? '').matchAll(/'([^']+)'/g)].map((x) => x[1] ?? '');
}

/** The members of `export const <name> = ['a', 'b'] as const`. */
function constArray(rel: string, name: string): string[] {
  const m = read(rel).match(new RegExp(`export const ${name} = \\[([^\\]]+)\\]`));
  assert.ok(m, `const ${name} not found in ${rel}`);
  return [...(m[1] ?? '').matchAll(/'([^']+)'/g)].map((x) => x[1] ?? '');
}

/** State ids of the workflow every appliance ships with. */
function seededTicketStates(): string[] {
  const text = read('tickets/seed.ts');
  const states = text.slice(text.indexOf('states: ['), text.indexOf('transitions: ['));
  return [...states.matchAll(/\{ id: '([^']+)'/g)].map((x) => x[1] ?? '');
}

/** Intents of the classifier's shipped training set, and 'unknown' (no match). */
function seededIntents(): string[] {
  const json = JSON.parse(read('intelligence/testdata/intents.json')) as Record<string, unknown>;
  return [...Object.keys(json), 'unknown'];
}

/** Measured properties of a call recording that acoustic QA rules compare (none before acoustic QA). */
function acousticMetrics(): string[] {
  const m = read('intelligence/types.ts').match(/export interface AcousticMetrics \{([\s\S]*?)\n\}/);
  if (!m) return [];
  const skipped = read('intelligence/types.ts').match(/export type AcousticMetric = Exclude<[^,]+,([^>]+)>/);
  const skip = new Set([...(skipped?.[1] ?? '').matchAll(/'([^']+)'/g)].map((x) => x[1]));
  return [...(m[1] ?? '').matchAll(/^\s+(\w+):/gm)].map((x) => x[1] ?? '').filter((k) => !skip.has(k));
}

/**
 * Every evidence text QA can write: the `detail:` strings of intelligence/qa.ts,
 * with each `${…}` filled by a sample of its kind (a metric name, an operator, a number).
 */
function qaDetails(): string[] {
  const out: string[] = [];
  for (const m of read('intelligence/qa.ts').matchAll(/detail: ([^\n]+)/g)) {
    const expr = m[1] ?? '';
    for (const s of expr.replace(/`[^`]*`/g, '').matchAll(/'([^']*)'/g)) out.push(s[1] ?? '');
    for (const s of expr.matchAll(/`([^`]*)`/g))
      out.push(
        (s[1] ?? '').replace(/\$\{([^}]*)\}/g, (_, e: string) =>
          /metric/.test(e) ? 'silence_share' : /\bop\b/.test(e) ? '<=' : '12',
        ),
      );
  }
  return out;
}

/** What a ticket's history says happened: the action of every tickets/ mutate() and record() call. */
function ticketActions(): string[] {
  const out = new Set(['created']);
  for (const file of readdirSync(path.join(SRC, 'tickets'))) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const text = read(`tickets/${file}`);
    // a conditional's results, not what it compares (`kind === 'reply' ? 'replied' : 'note_added'`)
    for (const m of text.matchAll(/\b(?:mutate|record)\(\s*[\w.]+,\s*(?:\{[^}]*\}|[\w.]+),\s*([^,]+),/g))
      for (const lit of (m[1] ?? '').matchAll(/(?<!=== )'([a-z_]+)'/g)) out.add(lit[1] ?? '');
  }
  return [...out];
}

const SOURCES: Record<LabelKind, () => string[]> = {
  agentState: () => union('routing/engine-types.ts', 'AgentState'),
  reason: () => [
    ...constArray('routing/types.ts', 'DEFAULT_REASON_CODES'),
    ...constArray('routing/types.ts', 'SYSTEM_REASON_CODES'),
  ],
  priority: () => constArray('tickets/types.ts', 'PRIORITIES'),
  stateCategory: () => union('tickets/types.ts', 'StateCategory'),
  ticketState: seededTicketStates,
  channel: () => union('conversations/types.ts', 'Channel'),
  contactState: () => union('conversations/types.ts', 'ContactState'),
  callState: () => union('voice/types.ts', 'CallState'),
  // The built-in text checks (scorecards name rules after them), else the older five rules.
  qaRule: () =>
    /export type TextCheck =/.test(read('intelligence/types.ts'))
      ? union('intelligence/types.ts', 'TextCheck')
      : union('intelligence/types.ts', 'QaRule'),
  qaMetric: acousticMetrics,
  intent: seededIntents,
  // The server stores any wrap-up code; the console offers (and labels) this list.
  wrapUp: () => [...WRAP_UP_CODES],
  ticketAction: ticketActions,
  delivery: () => {
    const m = read('conversations/types.ts').match(/\bdelivery: ('[^;]+);/);
    return [...(m?.[1] ?? '').matchAll(/'([^']+)'/g)].map((x) => x[1] ?? '');
  },
  handleKind: () => union('conversations/types.ts', 'HandleKind'),
};

test('the source scan finds the values of every kind', () => {
  for (const [kind, values] of Object.entries(SOURCES)) {
    if (kind === 'qaMetric') continue; // acoustic QA may not exist in this tree
    assert.ok(values().length >= 3, `${kind}: only ${values().length} values found, the scan is broken`);
  }
  assert.ok(SOURCES.reason().includes('rona'));
  assert.ok(SOURCES.intent().includes('card_lost'));
  assert.ok(SOURCES.ticketState().includes('pending_customer'));
  assert.ok(SOURCES.ticketAction().includes('note_added') && SOURCES.ticketAction().includes('sla_breached'));
});

test('every reason, state, priority, channel, QA rule and evidence, intent and wrap-up code has an en and a zh-CN label', () => {
  const missing: string[] = [];
  for (const [kind, values] of Object.entries(SOURCES) as [LabelKind, () => string[]][]) {
    for (const value of values()) {
      const key = `${LABEL_PREFIX[kind]}${value}`;
      const enText = (en as Record<string, string>)[key];
      const zhText = (zhCN as Record<string, string>)[key];
      if (!enText?.trim()) missing.push(`en ${key}`);
      if (!zhText?.trim()) missing.push(`zh-CN ${key}`);
      else if (!/\p{Script=Han}/u.test(zhText)) missing.push(`zh-CN (not Chinese) ${key}: ${zhText}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every evidence text a QA rule writes reads as Chinese in zh-CN and through the catalogue in en', () => {
  const details = qaDetails();
  assert.ok(details.length >= 8, `only ${details.length} QA details found: the scan is broken`);
  const untranslated = details.filter((d) => {
    const zh = qaEvidenceText(d, 'zh-CN');
    return zh === d || !/\p{Script=Han}/u.test(zh) || /[A-Za-z]{3,}/.test(zh);
  });
  assert.deepEqual(untranslated, []);
  assert.equal(qaEvidenceText('first agent reply', 'en'), en['qa.evidence.first_agent_reply']);
});

test('label() translates by locale, fills placeholders and shows an unlabelled value as itself', () => {
  assert.equal(label('reason', 'lunch', 'zh-CN'), '午餐');
  assert.equal(label('channel', 'webchat', 'zh-CN'), '网页在线客服');
  assert.equal(label('priority', 'normal', 'en'), 'Normal');
  assert.equal(qaEvidenceText('slowest reply 75s', 'zh-CN'), '最慢回复：75 秒');
  assert.equal(qaEvidenceText('used: 不知道, whatever', 'zh-CN'), '使用了：不知道、whatever');
  assert.equal(qaEvidenceText('silence_share 0.4 (<= 0.3)', 'zh-CN'), '静默占比：0.4（规则：<= 0.3）');
  assert.equal(label('reason', 'coffee', 'zh-CN'), 'coffee');
});
