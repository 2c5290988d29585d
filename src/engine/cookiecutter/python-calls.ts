import { UserError } from '../user-error.js';
import { PYTHON_METHODS } from './python-methods.js';

/** The function a Python method call becomes: `__td_method(receiver, 'name', …args, __td_kw=LINE)`. */
export const METHOD_FUNCTION = '__td_method';
/**
 * The keyword marking the keyword arguments (minijinja hands them to JavaScript as a trailing Map,
 * like a dict); its value is the call's line in the template, for errors.
 */
export const KEYWORDS_MARK = '__td_kw';
/** The function `'text' % values` becomes: `__td_percent('text', values, isTupleLiteral, LINE)`. */
export const PERCENT_FUNCTION = '__td_percent';

/**
 * Python calls minijinja cannot make, turned into calls it can. minijinja's Python mode answers
 * methods in its own Rust code, which its JavaScript binding gives no way to extend, and its `%`
 * is arithmetic only. So, inside one tag's expression text:
 * - `receiver.format(a, k=b)` (any name of python-methods.ts) becomes
 *   `__td_method(receiver, 'format', a, k=b, __td_kw=LINE)`;
 * - `'text' % values` becomes `__td_percent('text', values, false, LINE)` (`true` for a tuple
 *   literal), LINE being the call's line in the template (`line` is the expression's first);
 * - `x|format(…)` gets the keyword mark as its last argument (see markFormatFilter).
 * The receiver is the postfix chain before the dot (names, `.attr`, `[…]`, `(…)`, a literal or
 * a bracketed group), the tightest-binding level of Jinja's grammar, so putting a call in its
 * place leaves every other operator grouped as it was; `%` is rewritten only after a quoted
 * string, whose left operand is then that string, and its right operand is one unary operand
 * with its filters. Text is tokenized as Jinja's lexer does (strings, numbers, names,
 * operators); a call whose receiver or operand is not one of these shapes is left to minijinja,
 * which reports it. Nothing is added or removed but the call around the pieces, so line numbers
 * stay the template's.
 */
export function rewritePythonCalls(expression: string, isStatement: boolean, line = 1): string {
  if (!QUICK_CHECK.test(expression)) return expression;
  let text = expression;
  let work = 0;
  // Each rewrite takes one call away, so this ends; a try costs at most a walk over the tokens.
  for (;;) {
    const tokens = tokenize(text);
    if (!tokens) return text;
    let rewritten: string | undefined;
    for (let i = tokens.length - 1; i >= 0 && rewritten === undefined; i--) {
      if (!isOp(tokens[i], '.', '%', '|')) continue;
      work += tokens.length;
      if (work > MAX_WORK) throw new UserError(`an expression of ${tokens.length} tokens with this many Python calls is more than template-drift reads: split it into several`);
      rewritten = rewriteMethod(text, tokens, i, isStatement, line) ?? rewritePercent(text, tokens, i, line) ?? markFormatFilter(text, tokens, i, line);
    }
    if (rewritten === undefined) return text;
    text = rewritten;
  }
}

/** Token steps one expression's rewrite may take: far beyond any template, well under a second. */
const MAX_WORK = 1_000_000;

const QUICK_CHECK = new RegExp(`\\.\\s*(?:${[...PYTHON_METHODS].join('|')})\\s*\\(|['"]\\s*%|\\|\\s*format\\s*\\(`);

interface Token {
  readonly kind: 'string' | 'number' | 'name' | 'op';
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** For a bracket, the index of the one that matches it (-1 for none). */
  pair: number;
}

const TOKEN = /(\s+)|('(?:[^'\\]|\\[\s\S])*'|"(?:[^"\\]|\\[\s\S])*")|(0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d[\d_]*)?)|([\p{L}_][\p{L}\p{N}_]*)|(\*\*|\/\/|==|!=|<=|>=|[-+*/%~|.,:;()[\]{}<>=!])/uy;

/** Jinja's tokens, brackets paired, or undefined for text its lexer would refuse (minijinja reports that). */
function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  const open: number[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) return undefined;
    if (match[1] !== undefined) continue;
    const kind = match[2] !== undefined ? 'string' : match[3] !== undefined ? 'number' : match[4] !== undefined ? 'name' : 'op';
    const token: Token = { kind, text: match[0], start, end: TOKEN.lastIndex, pair: -1 };
    if (kind === 'op' && CLOSE[token.text]) open.push(tokens.length);
    if (kind === 'op' && OPEN[token.text] && open.length > 0 && tokens[open.at(-1)!]!.text === OPEN[token.text]) {
      const opener = open.pop()!;
      token.pair = opener;
      tokens[opener]!.pair = tokens.length;
    }
    tokens.push(token);
  }
  return tokens;
}

/** Jinja's operator words: a bracket after one of them opens a literal, not a call or subscript. */
const OPERATOR_WORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else']);
const OPEN: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const CLOSE: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

function isOp(token: Token | undefined, ...texts: string[]): boolean {
  return token?.kind === 'op' && texts.includes(token.text);
}

/** The token that closes the bracket at `open`, or -1. */
function closing(tokens: readonly Token[], open: number): number {
  return tokens[open]?.pair ?? -1;
}

/** The token that opens the bracket closed at `close`, or -1. */
function opening(tokens: readonly Token[], close: number): number {
  return tokens[close]?.pair ?? -1;
}

/** Whether a call's or subscript's bracket right after `token` applies to it (ends a postfix chain). */
function endsOperand(tokens: readonly Token[], at: number, isStatement: boolean): boolean {
  const token = tokens[at];
  if (!token) return false;
  if (token.kind === 'name') return !OPERATOR_WORDS.has(token.text) && !(isStatement && at === 0) && !isOp(tokens[at - 1], '|') && !isWord(tokens[at - 1], 'is');
  return token.kind === 'string' || isOp(token, ')', ']', '}');
}

function isWord(token: Token | undefined, word: string): boolean {
  return token?.kind === 'name' && token.text === word;
}

/** The first token of the postfix chain that ends at `end`, or undefined when it is not one. */
function chainStart(tokens: readonly Token[], end: number, isStatement: boolean): number | undefined {
  let at = end;
  for (;;) {
    const token = tokens[at];
    if (!token) return undefined;
    if (token.kind === 'string') {
      while (tokens[at - 1]?.kind === 'string') at--; // 'a' 'b' is one string, as in Jinja
      return at;
    }
    if (token.kind === 'number') return at;
    if (token.kind === 'name') {
      if (OPERATOR_WORDS.has(token.text) || isOp(tokens[at - 1], '|') || isWord(tokens[at - 1], 'is')) return undefined;
      if (!isOp(tokens[at - 1], '.')) return at;
      if (!endsOperand(tokens, at - 2, isStatement)) return undefined;
      at -= 2;
      continue;
    }
    if (!isOp(token, ')', ']', '}')) return undefined;
    const open = opening(tokens, at);
    if (open < 0) return undefined;
    // `x|f(1).format()` is no Jinja: a filter's or test's arguments are not a receiver.
    if (tokens[open - 1]?.kind === 'name' && (isOp(tokens[open - 2], '|') || isWord(tokens[open - 2], 'is'))) return undefined;
    if (token.text !== '}' && endsOperand(tokens, open - 1, isStatement)) {
      at = open - 1; // a call or subscript of what comes before
      continue;
    }
    return open;
  }
}

function rewriteMethod(text: string, tokens: readonly Token[], dot: number, isStatement: boolean, line: number): string | undefined {
  const name = tokens[dot + 1];
  if (!isOp(tokens[dot], '.') || name?.kind !== 'name' || !PYTHON_METHODS.has(name.text) || !isOp(tokens[dot + 2], '(')) return undefined;
  const close = closing(tokens, dot + 2);
  const start = dot > 0 ? chainStart(tokens, dot - 1, isStatement) : undefined;
  if (close < 0 || start === undefined) return undefined;
  const receiver = text.slice(tokens[start]!.start, tokens[dot]!.start) + newlines(text.slice(tokens[dot]!.start, tokens[dot + 2]!.start));
  // A trailing comma (`f(a,)`) goes: the keyword mark follows.
  const comma = isOp(tokens[close - 1], ',') ? tokens[close - 1]! : undefined;
  const args = comma
    ? text.slice(tokens[dot + 2]!.end, comma.start) + text.slice(comma.end, tokens[close]!.start)
    : text.slice(tokens[dot + 2]!.end, tokens[close]!.start);
  const at = line + lineBreaks(text.slice(0, tokens[start]!.start));
  const call = `${METHOD_FUNCTION}(${receiver}, '${name.text}'${args.trim() ? `, ${args}` : ''}, ${KEYWORDS_MARK}=${at})`;
  return text.slice(0, tokens[start]!.start) + call + text.slice(tokens[close]!.end);
}

function rewritePercent(text: string, tokens: readonly Token[], percent: number, line: number): string | undefined {
  if (!isOp(tokens[percent], '%') || tokens[percent - 1]?.kind !== 'string') return undefined;
  let left = percent - 1;
  while (tokens[left - 1]?.kind === 'string') left--;
  const before = tokens[left - 1];
  // `x * 'a' % y` is `(x * 'a') % y`, and `-'a'` is no format: leave those to minijinja.
  if (isOp(before, '*', '/', '//', '%', '**', '.', '|') || isWord(before, 'is')) return undefined;
  if (isOp(before, '-', '+') && !endsOperandAt(tokens, left - 2)) return undefined;
  const right = operandEnd(tokens, percent + 1);
  if (right === undefined) return undefined;
  const first = tokens[percent + 1]!;
  const tuple = isOp(first, '(') && closing(tokens, percent + 1) === right && (right === percent + 2 || topLevelComma(tokens, percent + 1, right));
  const format = text.slice(tokens[left]!.start, tokens[percent - 1]!.end) + newlines(text.slice(tokens[percent - 1]!.end, first.start));
  const values = text.slice(first.start, tokens[right]!.end);
  const at = line + lineBreaks(text.slice(0, tokens[left]!.start));
  return `${text.slice(0, tokens[left]!.start)}${PERCENT_FUNCTION}(${format}, ${values}, ${tuple}, ${at})${text.slice(tokens[right]!.end)}`;
}

function lineBreaks(text: string): number {
  return newlines(text).length;
}

/** The line breaks of text that a rewrite drops, so that later lines keep their numbers. */
function newlines(text: string): string {
  return text.replace(/[^\n]/g, '');
}

/**
 * `x|format(a, k=b)` gets the keyword mark too (`x|format(a, k=b, __td_kw=LINE)`): Jinja's filter
 * takes positional or keyword arguments, and minijinja hands both a dict and keywords over as a
 * trailing Map, so only the mark tells `'%s'|format(d)` from `'%(a)s'|format(a=1)`.
 */
function markFormatFilter(text: string, tokens: readonly Token[], pipe: number, line: number): string | undefined {
  if (!isOp(tokens[pipe], '|') || !isWord(tokens[pipe + 1], 'format') || !isOp(tokens[pipe + 2], '(')) return undefined;
  const close = closing(tokens, pipe + 2);
  if (close < 0 || isWord(tokens[close - 3], KEYWORDS_MARK)) return undefined;
  const empty = close === pipe + 3;
  const comma = isOp(tokens[close - 1], ',');
  const at = line + lineBreaks(text.slice(0, tokens[pipe]!.start));
  return `${text.slice(0, tokens[close]!.start)}${empty || comma ? '' : ', '}${KEYWORDS_MARK}=${at}${text.slice(tokens[close]!.start)}`;
}

function endsOperandAt(tokens: readonly Token[], at: number): boolean {
  const token = tokens[at];
  if (!token) return false;
  if (token.kind === 'name') return !OPERATOR_WORDS.has(token.text);
  return token.kind !== 'op' || isOp(token, ')', ']', '}');
}

function topLevelComma(tokens: readonly Token[], open: number, close: number): boolean {
  for (let i = open + 1; i < close; i++) {
    if (isOp(tokens[i], ',')) return true;
    if (tokens[i]!.kind === 'op' && CLOSE[tokens[i]!.text]) i = closing(tokens, i);
  }
  return false;
}

/**
 * The last token of the unary operand starting at `from` (Jinja's `parse_unary`: signs, a
 * primary, `.attr` / `[…]` / `(…)`, filters), or undefined for one followed by `**` or a test.
 */
function operandEnd(tokens: readonly Token[], from: number): number | undefined {
  let at = from;
  while (isOp(tokens[at], '-', '+')) at++;
  const first = tokens[at];
  if (!first) return undefined;
  if (first.kind === 'string') while (tokens[at + 1]?.kind === 'string') at++;
  else if (first.kind === 'name' && OPERATOR_WORDS.has(first.text)) return undefined;
  else if (first.kind === 'op') {
    if (!CLOSE[first.text]) return undefined;
    at = closing(tokens, at);
    if (at < 0) return undefined;
  }
  for (;;) {
    const next = tokens[at + 1];
    if (isOp(next, '.') && tokens[at + 2]?.kind === 'name') at += 2;
    else if (isOp(next, '(', '[')) {
      at = closing(tokens, at + 1);
      if (at < 0) return undefined;
    } else if (isOp(next, '|') && tokens[at + 2]?.kind === 'name') {
      at += 2;
      while (isOp(tokens[at + 1], '.') && tokens[at + 2]?.kind === 'name') at += 2;
    } else break;
  }
  if (isOp(tokens[at + 1], '**') || isWord(tokens[at + 1], 'is')) return undefined;
  return at;
}
