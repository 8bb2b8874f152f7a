/**
 * The part of GitHub Actions' expression language the workflows use, evaluated the way the runner
 * does: `||` / `&&` return an operand (the `a && 'x' || 'y'` idiom), `==` compares strings without
 * case, a missing property is null and interpolates as ''. Status functions (success(), failure(),
 * always(), cancelled()) are supplied by the caller, since they depend on where they are asked.
 */

export type Value = string | number | boolean | null | { [k: string]: Value } | Value[];

export interface ExprScope {
  contexts: Record<string, Value>;
  functions: Record<string, () => boolean>;
}

type Tok = { t: 'str' | 'num' | 'id' | 'op'; v: string };

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) i++;
    else if (c === "'") {
      let v = '';
      i++;
      while (i < src.length) {
        if (src[i] === "'" && src[i + 1] === "'") {
          v += "'";
          i += 2;
        } else if (src[i] === "'") break;
        else v += src[i++];
      }
      i++;
      out.push({ t: 'str', v });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9.]+/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      const op = ['==', '!=', '&&', '||', '!', '(', ')', '.', '[', ']', ','].find((o) =>
        src.startsWith(o, i),
      );
      if (!op) throw new Error(`expression: unexpected "${c}" in ${src}`);
      out.push({ t: 'op', v: op });
      i += op.length;
    }
  }
  return out;
}

const truthy = (v: Value): boolean => !(v === null || v === false || v === '' || v === 0);

function loosely(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

export function evaluate(src: string, scope: ExprScope): Value {
  const toks = lex(src);
  let p = 0;
  const peek = (v: string) => toks[p]?.t === 'op' && toks[p]?.v === v;
  const take = (v: string) => {
    if (!peek(v)) throw new Error(`expression: expected "${v}" in ${src}`);
    p++;
  };
  const or = (): Value => {
    let left = and();
    while (peek('||')) {
      p++;
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const and = (): Value => {
    let left = unary();
    while (peek('&&')) {
      p++;
      const right = unary();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const unary = (): Value => {
    if (peek('!')) {
      p++;
      return !truthy(unary());
    }
    const left = primary();
    if (peek('==') || peek('!=')) {
      const negate = toks[p++]?.v === '!=';
      const equal = loosely(left, primary());
      return negate ? !equal : equal;
    }
    return left;
  };
  const primary = (): Value => {
    const tok = toks[p++];
    if (!tok) throw new Error(`expression: unexpected end of ${src}`);
    if (tok.t === 'op' && tok.v === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (tok.t === 'str') return tok.v;
    if (tok.t === 'num') return Number(tok.v);
    if (tok.t !== 'id') throw new Error(`expression: unexpected "${tok.v}" in ${src}`);
    if (tok.v === 'true' || tok.v === 'false') return tok.v === 'true';
    if (tok.v === 'null') return null;
    if (peek('(')) {
      take('(');
      take(')');
      const fn = scope.functions[tok.v];
      if (!fn) throw new Error(`expression: function ${tok.v}() is not supported here`);
      return fn();
    }
    if (!(tok.v in scope.contexts)) throw new Error(`expression: unknown context "${tok.v}" in ${src}`);
    let value: Value = scope.contexts[tok.v] ?? null;
    while (peek('.') || peek('[')) {
      let key: string;
      if (peek('.')) {
        p++;
        key = toks[p++]?.v ?? '';
      } else {
        p++;
        key = String(or());
        take(']');
      }
      value = value && typeof value === 'object' && !Array.isArray(value) ? (value[key] ?? null) : null;
    }
    return value;
  };
  const result = or();
  if (p !== toks.length) throw new Error(`expression: trailing "${toks[p]?.v}" in ${src}`);
  return result;
}

/** `${{ … }}` spans of a string replaced by their values ('' for null). */
export function interpolate(text: string, scope: ExprScope): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, expr: string) => {
    const v = evaluate(expr, scope);
    return v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

/** An `if:` value: an expression with or without `${{ }}` around it. */
export function condition(text: string | boolean | undefined, fallback: string, scope: ExprScope): boolean {
  if (typeof text === 'boolean') return text;
  const src = (text ?? fallback).trim();
  const bare = /^\$\{\{([\s\S]*)\}\}$/.exec(src)?.[1] ?? src;
  // A status function must appear, else GitHub adds success() in front.
  const withStatus = /\b(success|failure|always|cancelled)\(\)/.test(bare) ? bare : `success() && (${bare})`;
  return truthy(evaluate(withStatus, scope));
}
