/**
 * Finds every `threader …` command in a shell script the way bash would split it, so the CLI can
 * parse each one: line continuations joined, quotes honoured, variables replaced by the value the
 * caller gives for them, else a placeholder word (only that each is one word when quoted is known),
 * and commands nested in `$(…)` or run by `threader retry … -- threader …` found too.
 */

export interface Invocation {
  /** The words after `threader`. */
  argv: string[];
  /** The script line it starts on (1-based), for messages. */
  line: number;
  /** The command as written, for messages. */
  text: string;
}

type Token = { kind: 'word'; value: string; line: number; start: number } | { kind: 'op'; value: string };

/** Stands for any variable's value. */
export const PLACEHOLDER = 'VALUE';

/** A variable's value by name (`$NAME`, `${NAME}`, `${NAME:-…}`); undefined: the placeholder. */
export type Values = (name: string) => string | undefined;

const none: Values = () => undefined;

const OPERATORS = ['&&', '||', ';;', '|', ';', '&', '(', ')', '\n'];
const REDIRECT = /^[0-9]*(>>|>&|>|<<<|<<|<)/;

function tokenize(script: string, values: Values): Token[] {
  const s = script.replace(/\\\n/g, ' ');
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < s.length && s[i] !== '\n') i++;
      continue;
    }
    const op = OPERATORS.find((o) => s.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', value: op });
      if (op === '\n') line++;
      i += op.length;
      continue;
    }
    const redirect = REDIRECT.exec(s.slice(i));
    if (redirect) {
      // The redirect's target is not an argument of the command.
      i += redirect[0].length;
      while (s[i] === ' ') i++;
      i = readWord(s, i, values).end;
      continue;
    }
    const start = i;
    const word = readWord(s, i, values);
    tokens.push({ kind: 'word', value: word.value, line, start });
    line += (s.slice(start, word.end).match(/\n/g) ?? []).length;
    i = word.end;
  }
  return tokens;
}

/** One shell word from `i`: quotes removed, variables replaced by their value, `$(…)` by PLACEHOLDER. */
function readWord(s: string, i: number, values: Values): { value: string; end: number } {
  let value = '';
  while (i < s.length) {
    const c = s[i] as string;
    if (/[\s;&|()<>]/.test(c)) break;
    if (c === "'") {
      const close = s.indexOf("'", i + 1);
      value += s.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) {
          value += s[i + 1];
          i += 2;
        } else if (s[i] === '$') {
          const v = readVariable(s, i);
          value += valueOf(s.slice(i, v), values);
          i = v;
        } else value += s[i++];
      }
      i++;
    } else if (c === '$') {
      const v = readVariable(s, i);
      value += valueOf(s.slice(i, v), values);
      i = v;
    } else if (c === '\\') {
      value += s[i + 1] ?? '';
      i += 2;
    } else value += s[i++];
  }
  return { value, end: i };
}

/** `$NAME` / `${NAME…}`: the caller's value for NAME; `$(…)` and the unknown: PLACEHOLDER. */
function valueOf(expansion: string, values: Values): string {
  const name = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(expansion)?.[1];
  return (name !== undefined ? values(name) : undefined) ?? PLACEHOLDER;
}

/** Past `$NAME`, `${…}` or `$(…)` (nesting counted) starting at `i`. */
function readVariable(s: string, i: number): number {
  const open = s[i + 1];
  if (open === '{' || open === '(') {
    const close = open === '{' ? '}' : ')';
    let depth = 0;
    for (let j = i + 1; j < s.length; j++) {
      if (s[j] === open) depth++;
      else if (s[j] === close && --depth === 0) return j + 1;
    }
    return s.length;
  }
  let j = i + 1;
  while (j < s.length && /[A-Za-z0-9_?@#*!-]/.test(s[j] as string)) {
    j++;
    if (/[?@#*!-]/.test(s[j - 1] as string)) break;
  }
  return j;
}

/** Every `threader …` command of `script`, including ones inside `$(…)` and after `retry … --`. */
export function threaderInvocations(script: string, values: Values = none): Invocation[] {
  const found: Invocation[] = [];
  // Command substitutions are scanned on their own: the placeholder stands for them in words.
  for (const inner of substitutions(script)) found.push(...threaderInvocations(inner, values));
  const tokens = tokenize(script, values);
  let atCommandStart = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'op') {
      atCommandStart = true;
      continue;
    }
    const isKeyword: boolean =
      atCommandStart && ['if', 'then', 'else', 'do', '!', 'time', 'exec'].includes(t.value);
    if (atCommandStart && t.value === 'threader') {
      const words: Extract<Token, { kind: 'word' }>[] = [];
      for (let j = i + 1; j < tokens.length && tokens[j]?.kind === 'word'; j++)
        words.push(tokens[j] as Extract<Token, { kind: 'word' }>);
      const argv = words.map((w) => w.value);
      found.push({ argv, line: t.line, text: ['threader', ...argv].join(' ') });
      const sep = argv.indexOf('--');
      // `threader retry … -- threader …`: the retried command is parsed on its own.
      if (argv[0] === 'retry' && argv[sep + 1] === 'threader' && sep >= 0) {
        const inner = argv.slice(sep + 2);
        found.push({ argv: inner, line: t.line, text: ['threader', ...inner].join(' ') });
      }
      i += words.length;
      atCommandStart = false;
      continue;
    }
    // Assignments before a command (`FOO=1 threader …`) and keywords keep the command position.
    atCommandStart = isKeyword || (atCommandStart && /^[A-Za-z_][A-Za-z0-9_]*=/.test(t.value));
  }
  return found;
}

/** The names of the variables `script` expands (`$NAME`, `${NAME…}`), each once. */
export function variablesOf(script: string): string[] {
  return [...new Set([...script.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string))];
}

/** The bodies of every `$(…)` in `script`, outermost first. */
function substitutions(script: string): string[] {
  const bodies: string[] = [];
  for (let i = script.indexOf('$('); i >= 0; i = script.indexOf('$(', i + 2)) {
    const end = readVariable(script, i);
    bodies.push(script.slice(i + 2, end - 1));
    i = end - 2;
  }
  return bodies;
}
