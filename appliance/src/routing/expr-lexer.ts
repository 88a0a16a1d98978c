import { BadInputError } from '../contracts/index.ts';
import { RoutingError } from './errors.ts';

export type TokenKind = 'num' | 'str' | 'ident' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text for ops/idents; decoded value for strings. */
  text: string;
  num?: number;
  /** 0-based offset of the token's first character. */
  pos: number;
}

/** Longest operators first so `<=` wins over `<`. */
const OPS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '[', ']', ','];
export const MAX_EXPRESSION_LENGTH = 2000;

/** A parse error naming the 0-based offset where the expression went wrong. */
export function parseError(what: string, pos: number): RoutingError {
  return new RoutingError('ROUTING_EXPRESSION_INVALID', `Cannot parse expression: ${what} at ${pos}`, {
    details: { position: pos },
  });
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isIdentStart = (c: string) => /[A-Za-z_]/.test(c);
const isIdentPart = (c: string) => /[A-Za-z0-9_]/.test(c);

/** Splits an expression into tokens; identifiers keep their dots (`skills.billing`). */
export function tokenize(src: string): Token[] {
  if (typeof src !== 'string')
    throw new BadInputError('ROUTING_EXPRESSION_INVALID', 'expression must be a string');
  if (src.length > MAX_EXPRESSION_LENGTH) throw parseError('expression too long', MAX_EXPRESSION_LENGTH);
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '-' && isDigit(src[i + 1] ?? '') && !endsOperand(out))) {
      i++;
      while (i < src.length && (isDigit(src[i] as string) || src[i] === '.')) i++;
      const text = src.slice(start, i);
      const num = Number(text);
      if (!Number.isFinite(num)) throw parseError(`bad number '${text}'`, start);
      out.push({ kind: 'num', text, num, pos: start });
      continue;
    }
    if (c === "'" || c === '"') {
      i++;
      let value = '';
      for (;;) {
        if (i >= src.length) throw parseError('unterminated string', start);
        const d = src[i] as string;
        if (d === '\\' && i + 1 < src.length) {
          value += src[i + 1];
          i += 2;
          continue;
        }
        i++;
        if (d === c) break;
        value += d;
      }
      out.push({ kind: 'str', text: value, pos: start });
      continue;
    }
    if (isIdentStart(c)) {
      while (i < src.length && (isIdentPart(src[i] as string) || src[i] === '.')) i++;
      const text = src.slice(start, i);
      if (text.endsWith('.') || text.includes('..')) throw parseError(`bad name '${text}'`, start);
      out.push({ kind: 'ident', text, pos: start });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw parseError(`unexpected '${c}'`, start);
    out.push({ kind: 'op', text: op, pos: start });
    i += op.length;
  }
  out.push({ kind: 'eof', text: '', pos: src.length });
  return out;
}

/** After an operand a '-' would be subtraction, which the language does not have. */
function endsOperand(tokens: Token[]): boolean {
  const last = tokens[tokens.length - 1];
  if (!last) return false;
  return last.kind !== 'op' || last.text === ')' || last.text === ']';
}
