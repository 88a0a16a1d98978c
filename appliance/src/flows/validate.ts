import { FlowsError } from './errors.ts';
import type { FlowCatalog, FlowDefinition, FlowNode } from './types.ts';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function fail(node: string, message: string): never {
  // `reason` is a stable slug of the message, so the console can translate it.
  const reason = message
    .replace(/[^A-Za-z]+/g, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();
  throw new FlowsError('FLOWS_INVALID', `node ${node}: ${message}`, { node, reason });
}

function isStr(v: unknown, max = 2000): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}

/** Node ids each node refers to, or a failure naming the node when its shape is wrong. */
function targets(id: string, n: FlowNode, intents: Record<string, string[]>): string[] {
  const need = (ok: boolean, what: string) => {
    if (!ok) fail(id, what);
  };
  const optionalPrompt = (p: unknown) =>
    need(p === undefined || isStr(p), 'prompt must be a non-empty string');
  const ms = (v: unknown) =>
    need(
      v === undefined || (Number.isInteger(v) && (v as number) > 0 && (v as number) <= 120_000),
      'timeoutMs out of range',
    );
  switch (n.type) {
    case 'say':
      need(isStr(n.text), 'text required');
      return [n.next];
    case 'play':
      need(isStr(n.prompt, 200) && /^[A-Za-z0-9_.-]+$/.test(n.prompt), 'prompt must be a file name');
      return [n.next];
    case 'menu':
      optionalPrompt(n.prompt);
      ms(n.timeoutMs);
      need(
        typeof n.options === 'object' && n.options !== null && Object.keys(n.options).length > 0,
        'options required',
      );
      for (const k of Object.keys(n.options))
        need(/^[0-9*#]$/.test(k), `option key ${k} is not a DTMF digit`);
      return [...Object.values(n.options), n.default];
    case 'collect':
      optionalPrompt(n.prompt);
      ms(n.timeoutMs);
      need(isStr(n.variable, 64), 'variable required');
      need(Number.isInteger(n.maxDigits) && n.maxDigits > 0 && n.maxDigits <= 32, 'maxDigits 1–32');
      return [n.next];
    case 'listen':
      optionalPrompt(n.prompt);
      ms(n.timeoutMs);
      need(Array.isArray(n.intents) && n.intents.length > 0, 'intents required');
      need(new Set(n.intents).size === n.intents.length, 'duplicate key: an intent is listed twice');
      for (const i of n.intents)
        need(Array.isArray(intents[i]) && (intents[i]?.length ?? 0) > 0, `intent ${i} is not defined`);
      need(typeof n.next === 'object' && n.next !== null, 'next map required');
      for (const k of Object.keys(n.next)) need(n.intents.includes(k), `next names unknown intent ${k}`);
      return [...Object.values(n.next), n.fallback];
    case 'branch':
      need(isStr(n.variable, 64), 'variable required');
      return [...Object.values(n.cases ?? {}), n.default];
    case 'hours':
      need(n.calendar === undefined || isStr(n.calendar, 64), 'calendar must be a calendar id');
      return [n.open, n.closed];
    case 'lookup':
      need(isStr(n.lookup, 64) && isStr(n.variable, 64), 'lookup and variable required');
      return [n.next];
    case 'set':
      need(typeof n.attributes === 'object' && n.attributes !== null, 'attributes required');
      return [n.next];
    case 'enqueue':
      need(isStr(n.queue, 64), 'queue required');
      need(
        n.announceEverySeconds === undefined ||
          (Number.isInteger(n.announceEverySeconds) &&
            n.announceEverySeconds >= 5 &&
            n.announceEverySeconds <= 3600),
        'announceEverySeconds must be an integer 5–3600',
      );
      need(
        n.holdMusic === undefined || (isStr(n.holdMusic, 200) && /^[A-Za-z0-9_./-]+$/.test(n.holdMusic)),
        'holdMusic must be a prompt file',
      );
      return [];
    case 'voicemail':
      optionalPrompt(n.prompt);
      return n.next === undefined ? [] : [n.next];
    case 'transfer':
      need(isStr(n.target, 64), 'target required');
      return [];
    case 'hangup':
      return [];
    default:
      return fail(id, `unknown type ${String((n as { type?: unknown }).type)}`);
  }
}

/** Node ids reachable from the start, following every edge. */
function reachable(f: FlowDefinition, edges: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const todo = [f.start];
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    todo.push(...(edges.get(id) ?? []));
  }
  return seen;
}

/** Queues and calendars a flow names must exist in routing (picked by name in the console, stored by id). */
function checkCatalog(f: FlowDefinition, catalog: FlowCatalog): void {
  for (const [id, n] of Object.entries(f.nodes)) {
    if (n.type === 'enqueue' && !catalog.queues.has(n.queue))
      throw new FlowsError('FLOWS_UNKNOWN_QUEUE', `node ${id}: no queue ${n.queue}`, {
        node: id,
        field: 'queue',
        reason: 'unknown_queue',
      });
    if (n.type === 'hours' && n.calendar !== undefined && !catalog.calendars.has(n.calendar))
      throw new FlowsError('FLOWS_UNKNOWN_CALENDAR', `node ${id}: no calendar ${n.calendar}`, {
        node: id,
        field: 'calendar',
        reason: 'unknown_calendar',
      });
  }
}

/**
 * Throws FLOWS_INVALID with details {node, reason} naming the first bad node (shape, a missing
 * target, a node the start never reaches); with a catalog, FLOWS_UNKNOWN_QUEUE/_CALENDAR.
 */
export function validateFlow(input: unknown, catalog?: FlowCatalog): FlowDefinition {
  if (typeof input !== 'object' || input === null) fail('(flow)', 'must be an object');
  const f = input as FlowDefinition;
  if (!isStr(f.id, 64) || !ID.test(f.id)) fail('(flow)', 'id must match [A-Za-z0-9_-]{1,64}');
  if (!isStr(f.name, 200)) fail('(flow)', 'name required');
  if (f.language !== 'en' && f.language !== 'zh') fail('(flow)', 'language must be en or zh');
  if (typeof f.nodes !== 'object' || f.nodes === null) fail('(flow)', 'nodes required');
  const ids = Object.keys(f.nodes);
  if (ids.length === 0 || ids.length > 500) fail('(flow)', '1–500 nodes');
  if (!f.nodes[f.start]) fail('(flow)', `start node ${String(f.start)} does not exist`);
  const intents = f.intents ?? {};
  for (const [name, phrases] of Object.entries(intents)) {
    if (!/^[a-z_]{1,32}$/.test(name)) fail('(flow)', `intent name ${name} must be [a-z_]`);
    if (!Array.isArray(phrases) || phrases.some((p) => !isStr(p, 200) || !/^[\p{L}\p{N} ']+$/u.test(p))) {
      fail('(flow)', `intent ${name} phrases must be words`);
    }
  }
  const edges = new Map<string, string[]>();
  for (const id of ids) {
    if (!ID.test(id)) fail(id, 'node id must match [A-Za-z0-9_-]{1,64}');
    const node = f.nodes[id];
    if (typeof node !== 'object' || node === null) fail(id, 'must be an object');
    const out = targets(id, node, intents);
    for (const t of out) {
      if (typeof t !== 'string' || !f.nodes[t]) fail(id, `refers to missing node ${String(t)}`);
    }
    edges.set(id, out);
  }
  // A node the start never reaches is a mistake (a branch unhooked while editing), not dead weight.
  const seen = reachable(f, edges);
  const orphan = ids.find((id) => !seen.has(id));
  if (orphan !== undefined) fail(orphan, 'unreachable from the start node');
  if (catalog) checkCatalog(f, catalog);
  return f;
}
