// Summarises a V8 `.cpuprofile` (node --cpu-prof) by self time: per function and per group of
// modules (where an API request's CPU goes), optionally only for samples inside a time window.
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Group → test on a frame's url; the first match wins. Natives (no url) take their caller's group. */
const GROUPS: Array<[string, RegExp]> = [
  ['auth_session', /\/src\/identity\/|\/http\/security\.ts|hono\/dist\/.*cookie/],
  ['validation', /\/zod\/|@hono\/zod-openapi|\/zod-openapi\/|\/storage\/validate\.ts|\/http\/text\.ts/],
  ['crypto', /\/storage\/crypto\/|libsodium|node:internal\/crypto|^wasm:/],
  ['audit', /\/src\/audit\//],
  ['events', /\/src\/events\//],
  ['store', /pouchdb|leveldown|abstract-leveldown|levelup|\/storage\/|vuvuzela|spark-md5|node:internal\/fs/],
  [
    'http',
    /\/hono\/|undici|@hono\/node-server|node:_http|node:http|node:net|node:internal\/(stream|streams|http)/,
  ],
  ['domain', /\/appliance\/src\//],
];
const SPECIAL: Record<string, string | undefined> = {
  '(garbage collector)': 'gc',
  '(program)': 'program',
  '(idle)': 'idle',
};

function groupOf(frame: CallFrame): string | undefined {
  if (Object.hasOwn(SPECIAL, frame.functionName)) return SPECIAL[frame.functionName];
  if (!frame.url) return undefined;
  for (const [name, re] of GROUPS) if (re.test(frame.url)) return name;
  return 'other';
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + 14);
  const src = url.indexOf('/appliance/src/');
  if (src >= 0) return url.slice(src + 15);
  return url;
}

export interface ProfileSummary {
  /** CPU ms per group in the window (idle excluded). */
  groupsMs: Record<string, number>;
  /** Top functions by self time: name, self % of busy time. */
  top: Array<{ fn: string; selfPct: number }>;
  busyMs: number;
}

/**
 * Self time inside [fromUs, toUs] (V8 profile clock, microseconds — CLOCK_MONOTONIC on Linux,
 * the same clock as process.hrtime) grouped by module group and by function.
 */
export function summarise(file: string, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  // Each node's group: its own, or its nearest ancestor's for natives (JSON.parse, Buffer ops…).
  const group = new Map<number, string>();
  const root = p.nodes[0];
  const stack: Array<[ProfileNode, string]> = root ? [[root, 'other']] : [];
  while (stack.length > 0) {
    const [node, inherited] = stack.pop() as [ProfileNode, string];
    const g = groupOf(node.callFrame) ?? inherited;
    group.set(node.id, g);
    for (const c of node.children ?? []) {
      const child = byId.get(c);
      if (child) stack.push([child, g]);
    }
  }
  const selfUs = new Map<number, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    // A sample's time is the interval up to the next one.
    const dt = p.timeDeltas[i + 1] ?? 0;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    const id = p.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const groupsUs: Record<string, number> = {};
  const fnUs = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const g = group.get(id) ?? 'other';
    if (g === 'idle') continue;
    busy += us;
    groupsUs[g] = (groupsUs[g] ?? 0) + us;
    const f = node.callFrame;
    const key =
      f.url === ''
        ? `${f.functionName || '(anonymous)'} [native, ${g}]`
        : `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
    fnUs.set(key, (fnUs.get(key) ?? 0) + us);
  }
  const groupsMs: Record<string, number> = {};
  for (const [g, us] of Object.entries(groupsUs).sort((a, b) => b[1] - a[1])) groupsMs[g] = us / 1000;
  const top = [...fnUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([fn, us]) => ({ fn, selfPct: Math.round((us / busy) * 1000) / 10 }));
  return { groupsMs, top, busyMs: busy / 1000 };
}
