/**
 * The IVR flow as the editor sees it: the same JSON the appliance stores
 * (appliance/src/flows/types.ts), plus pure helpers for its edges, the tree
 * from the start node, and edits. No I/O here, so it is unit-tested alone.
 */
export type NodeType =
  | 'say'
  | 'play'
  | 'menu'
  | 'collect'
  | 'listen'
  | 'branch'
  | 'hours'
  | 'lookup'
  | 'set'
  | 'enqueue'
  | 'voicemail'
  | 'transfer'
  | 'hangup';

export const NODE_TYPES: readonly NodeType[] = [
  'menu',
  'say',
  'listen',
  'collect',
  'hours',
  'enqueue',
  'voicemail',
  'transfer',
  'hangup',
  'play',
  'branch',
  'lookup',
  'set',
];

/** A node as stored; fields are those of its type (validated by the appliance on save). */
export interface FlowNodeDraft {
  type: NodeType;
  [field: string]: unknown;
}

export interface FlowDraft {
  id: string;
  name: string;
  language: 'en' | 'zh';
  start: string;
  intents?: Record<string, string[]>;
  nodes: Record<string, FlowNodeDraft>;
}

/** One outgoing edge: `kind` says how to label it, `key` is the DTMF key, intent or case value. */
export interface Edge {
  kind: 'next' | 'key' | 'default' | 'open' | 'closed' | 'intent' | 'fallback' | 'case';
  key?: string;
  target: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const map = (v: unknown): Record<string, string> =>
  typeof v === 'object' && v !== null ? (v as Record<string, string>) : {};

/** The edges of a node, in the order the form shows them. */
export function edgesOf(n: FlowNodeDraft): Edge[] {
  switch (n.type) {
    case 'menu':
      return [
        ...Object.entries(map(n['options'])).map(([key, target]) => ({ kind: 'key' as const, key, target })),
        { kind: 'default', target: str(n['default']) },
      ];
    case 'listen':
      return [
        ...Object.entries(map(n['next'])).map(([key, target]) => ({ kind: 'intent' as const, key, target })),
        { kind: 'fallback', target: str(n['fallback']) },
      ];
    case 'branch':
      return [
        ...Object.entries(map(n['cases'])).map(([key, target]) => ({ kind: 'case' as const, key, target })),
        { kind: 'default', target: str(n['default']) },
      ];
    case 'hours':
      return [
        { kind: 'open', target: str(n['open']) },
        { kind: 'closed', target: str(n['closed']) },
      ];
    case 'enqueue':
    case 'transfer':
    case 'hangup':
      return [];
    case 'voicemail':
      return [{ kind: 'next', target: str(n['next']) }];
    default:
      return [{ kind: 'next', target: str(n['next']) }];
  }
}

/** A copy of `n` with one edge pointed at `target` ('' = not set; a voicemail's next may be absent). */
export function withEdge(n: FlowNodeDraft, edge: Edge, target: string): FlowNodeDraft {
  const field = {
    next: 'next',
    default: 'default',
    open: 'open',
    closed: 'closed',
    fallback: 'fallback',
  } as const;
  if (edge.kind === 'key' || edge.kind === 'intent' || edge.kind === 'case') {
    const name = edge.kind === 'key' ? 'options' : edge.kind === 'intent' ? 'next' : 'cases';
    return { ...n, [name]: { ...map(n[name]), [edge.key ?? '']: target } };
  }
  if (n.type === 'voicemail' && edge.kind === 'next' && target === '') {
    const { next: _drop, ...rest } = n;
    return rest as FlowNodeDraft;
  }
  return { ...n, [field[edge.kind]]: target };
}

/** A fresh node of a type, with empty edges for the form to fill. */
export function newNode(type: NodeType): FlowNodeDraft {
  switch (type) {
    case 'say':
      return { type, text: '', next: '' };
    case 'play':
      return { type, prompt: '', next: '' };
    case 'menu':
      return { type, prompt: '', options: {}, default: '', timeoutMs: 8000 };
    case 'collect':
      return { type, prompt: '', variable: 'digits', maxDigits: 4, next: '' };
    case 'listen':
      return { type, prompt: '', intents: [], next: {}, fallback: '' };
    case 'branch':
      return { type, variable: '', cases: {}, default: '' };
    case 'hours':
      return { type, open: '', closed: '' };
    case 'lookup':
      return { type, lookup: '', variable: '', next: '' };
    case 'set':
      return { type, attributes: {}, next: '' };
    case 'enqueue':
      return { type, queue: '' };
    case 'voicemail':
      return { type, prompt: '', maxMs: 60_000 };
    case 'transfer':
      return { type, target: '' };
    case 'hangup':
      return { type };
  }
}

/** A node id not yet used, from the type: `menu`, `menu2`, … */
export function freshId(flow: FlowDraft, type: NodeType): string {
  if (!flow.nodes[type]) return type;
  for (let i = 2; ; i++) if (!flow.nodes[`${type}${i}`]) return `${type}${i}`;
}

/** Removes a node; edges that pointed at it are left dangling so validation names them. */
export function withoutNode(flow: FlowDraft, id: string): FlowDraft {
  const { [id]: _gone, ...nodes } = flow.nodes;
  return { ...flow, nodes };
}

/** Renames a node and every edge (and the start) that pointed at it. */
export function renamed(flow: FlowDraft, from: string, to: string): FlowDraft {
  const nodes: Record<string, FlowNodeDraft> = {};
  for (const [id, n] of Object.entries(flow.nodes)) {
    let node = n;
    for (const e of edgesOf(n)) if (e.target === from) node = withEdge(node, e, to);
    nodes[id === from ? to : id] = node;
  }
  return { ...flow, start: flow.start === from ? to : flow.start, nodes };
}

/** One line of the tree: a node the first time it is met, a reference after that. */
export interface TreeItem {
  id: string;
  /** The edge that led here (absent for a root). */
  via?: Edge;
  /** Met before on this walk (a loop or a shared node): shown as a link, not expanded again. */
  ref: boolean;
  /** The edge points at no node. */
  missing: boolean;
  children: TreeItem[];
}

/** The flow as a tree from the start, then each node the start never reaches as its own root. */
export function flowTree(flow: FlowDraft): { main: TreeItem | undefined; unreachable: TreeItem[] } {
  const seen = new Set<string>();
  const walk = (id: string, via?: Edge): TreeItem => {
    const node = flow.nodes[id];
    const base = via ? { id, via } : { id };
    if (!node) return { ...base, ref: false, missing: true, children: [] };
    if (seen.has(id)) return { ...base, ref: true, missing: false, children: [] };
    seen.add(id);
    return { ...base, ref: false, missing: false, children: edgesOf(node).map((e) => walk(e.target, e)) };
  };
  const main = flow.nodes[flow.start] ? walk(flow.start) : undefined;
  const unreachable: TreeItem[] = [];
  for (const id of Object.keys(flow.nodes)) if (!seen.has(id)) unreachable.push(walk(id));
  return { main, unreachable };
}
