import { type Literal, type Node, parse } from './expr-parser.ts';

type Value = Literal | undefined | Value[] | { [k: string]: unknown };

/** A parsed routing expression: safe to evaluate on untrusted input (no eval, no prototype walk). */
export interface Expression {
  readonly source: string;
  /** Dotted names the expression reads, e.g. `skills.billing`, `task.language`. */
  readonly refs: readonly string[];
  test(scope: Record<string, unknown>): boolean;
}

function lookup(scope: unknown, path: string[]): Value {
  let cur: unknown = scope;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    // Own properties only: `constructor.prototype` and friends resolve to nothing.
    if (!Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur as Value;
}

function evaluate(node: Node, scope: Record<string, unknown>): Value {
  switch (node.type) {
    case 'lit':
      return node.value;
    case 'list':
      return node.items.map((n) => evaluate(n, scope));
    case 'ref':
      return lookup(scope, node.path);
    case 'not':
      return !truthy(evaluate(node.arg, scope));
    case 'and':
      return truthy(evaluate(node.left, scope)) && truthy(evaluate(node.right, scope));
    case 'or':
      return truthy(evaluate(node.left, scope)) || truthy(evaluate(node.right, scope));
    case 'in': {
      const hay = evaluate(node.right, scope);
      const needle = evaluate(node.left, scope);
      if (Array.isArray(hay)) return hay.some((v) => v === needle);
      if (typeof hay === 'string' && typeof needle === 'string') return hay.includes(needle);
      return false;
    }
    case 'cmp':
      return compare(node.op, evaluate(node.left, scope), evaluate(node.right, scope));
  }
}

function truthy(v: Value): boolean {
  return v !== undefined && v !== null && v !== false && v !== 0 && v !== '';
}

/** Ordering needs two numbers or two strings; anything else (a missing skill) is simply false. */
function compare(op: string, a: Value, b: Value): boolean {
  if (op === '==') return a === b;
  if (op === '!=') return a !== b;
  const ordered =
    (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
  if (!ordered) return false;
  const x = a as number;
  const y = b as number;
  if (op === '<') return x < y;
  if (op === '<=') return x <= y;
  if (op === '>') return x > y;
  return x >= y;
}

function collectRefs(node: Node, out: Set<string>): void {
  if (node.type === 'ref') out.add(node.path.join('.'));
  else if (node.type === 'not') collectRefs(node.arg, out);
  else if (node.type === 'list') for (const n of node.items) collectRefs(n, out);
  else if (node.type !== 'lit') {
    collectRefs(node.left, out);
    collectRefs(node.right, out);
  }
}

/**
 * Compiles a routing expression. Throws RoutingError ROUTING_EXPRESSION_INVALID
 * naming the 0-based offset on bad input; never throws anything else for a string.
 */
export function compileExpression(source: string): Expression {
  const root = parse(source);
  const refs = new Set<string>();
  collectRefs(root, refs);
  return { source, refs: [...refs], test: (scope) => truthy(evaluate(root, scope)) };
}

/** The always-true expression used when a target names no agent expression. */
export const ANY: Expression = { source: 'true', refs: [], test: () => true };
