import { parseError, type Token, tokenize } from './expr-lexer.ts';

export type Literal = string | number | boolean | null;

export type Node =
  | { type: 'lit'; value: Literal }
  | { type: 'list'; items: Node[] }
  | { type: 'ref'; path: string[] }
  | { type: 'not'; arg: Node }
  | { type: 'and' | 'or'; left: Node; right: Node }
  | { type: 'cmp'; op: '==' | '!=' | '<' | '<=' | '>' | '>='; left: Node; right: Node }
  | { type: 'in'; left: Node; right: Node };

/** Nesting deep enough for any real rule, shallow enough that garbage cannot blow the stack. */
const MAX_DEPTH = 64;
const CMP = new Set(['==', '!=', '<', '<=', '>', '>=']);

/**
 * Recursive descent over
 *   or   := and ('||' and)*
 *   and  := not ('&&' not)*
 *   not  := '!' not | cmp
 *   cmp  := atom (('=='|'!='|'<'|'<='|'>'|'>='|'in') atom)?
 *   atom := number | string | true | false | null | name | '(' or ')' | '[' (atom (',' atom)*)? ']'
 */
export function parse(src: string): Node {
  const tokens = tokenize(src);
  let i = 0;
  let depth = 0;
  const peek = (): Token => tokens[i] as Token;
  const next = (): Token => tokens[i++] as Token;
  const describe = (t: Token) =>
    t.kind === 'eof' ? 'end of expression' : `'${src.slice(t.pos, t.pos + Math.max(1, t.text.length))}'`;
  const fail = (t: Token): never => {
    throw parseError(`unexpected ${describe(t)}`, t.pos);
  };
  const expectOp = (op: string) => {
    const t = next();
    if (t.kind !== 'op' || t.text !== op) {
      throw parseError(`expected '${op}' but found ${describe(t)}`, t.pos);
    }
  };
  const nested = <T>(at: Token, f: () => T): T => {
    if (++depth > MAX_DEPTH) throw parseError('expression nested too deeply', at.pos);
    try {
      return f();
    } finally {
      depth--;
    }
  };
  const isOp = (t: Token, op: string) => t.kind === 'op' && t.text === op;

  function or(): Node {
    let left = and();
    while (isOp(peek(), '||')) {
      next();
      left = { type: 'or', left, right: and() };
    }
    return left;
  }
  function and(): Node {
    let left = not();
    while (isOp(peek(), '&&')) {
      next();
      left = { type: 'and', left, right: not() };
    }
    return left;
  }
  function not(): Node {
    const t = peek();
    if (isOp(t, '!')) {
      next();
      return nested(t, () => ({ type: 'not', arg: not() }));
    }
    return cmp();
  }
  function cmp(): Node {
    const left = atom();
    const t = peek();
    if (t.kind === 'op' && CMP.has(t.text)) {
      next();
      return { type: 'cmp', op: t.text as '==', left, right: atom() };
    }
    if (t.kind === 'ident' && t.text === 'in') {
      next();
      return { type: 'in', left, right: atom() };
    }
    return left;
  }
  function atom(): Node {
    const t = next();
    if (t.kind === 'num') return { type: 'lit', value: t.num as number };
    if (t.kind === 'str') return { type: 'lit', value: t.text };
    if (t.kind === 'ident') {
      if (t.text === 'true') return { type: 'lit', value: true };
      if (t.text === 'false') return { type: 'lit', value: false };
      if (t.text === 'null') return { type: 'lit', value: null };
      if (t.text === 'in') return fail(t);
      return { type: 'ref', path: t.text.split('.') };
    }
    if (isOp(t, '(')) {
      const inner = nested(t, or);
      expectOp(')');
      return inner;
    }
    if (isOp(t, '[')) {
      const items: Node[] = [];
      if (!isOp(peek(), ']')) {
        for (;;) {
          items.push(nested(t, atom));
          if (!isOp(peek(), ',')) break;
          next();
        }
      }
      expectOp(']');
      return { type: 'list', items };
    }
    return fail(t);
  }

  if (peek().kind === 'eof') throw parseError('empty expression', 0);
  const root = or();
  if (peek().kind !== 'eof') fail(peek());
  return root;
}
