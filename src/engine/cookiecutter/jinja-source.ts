import { rewritePythonCalls } from './python-calls.js';

/** The filter every printed value goes through, so it prints as Python prints it (see below). */
export const PYTHON_TEXT_FILTER = '__td_python_text';
/** The global every printed value defaults to when it is undefined (see `wrapExpression`). */
export const UNDEFINED_MARK = '__td_undefined';
/** The function a `{% now %}` tag becomes. */
export const NOW_FUNCTION = '__td_now';

/**
 * Prepares a cookiecutter template's Jinja source for minijinja, changing nothing else:
 * - every `{{ expr }}` becomes `{{ (expr)|default(__td_undefined)|__td_python_text }}`, because
 *   Jinja prints values with Python's `str()` (`True`, `None`, `{'a': 1}`) and minijinja with its
 *   own (`true`, `none`, `{"a": 1}`), and minijinja's JavaScript binding has no finalizer to change
 *   that; `default` tells an undefined value (cookiecutter's StrictUndefined error) from None,
 *   which both reach JavaScript as undefined;
 * - `{% now 'utc', '%Y' %}` (cookiecutter's TimeExtension, a tag minijinja does not have) becomes
 *   a call of a function given the tag's arguments as text;
 * - Python calls minijinja cannot make (`'{}'.format(x)`, `'%s' % x`) become calls of functions
 *   that make them, in printed expressions and in tags (python-calls.ts).
 * Comments, `{% raw %}` blocks and quoted strings are skipped as Jinja's lexer skips them, and no
 * newline is added or removed, so error line numbers stay those of the template.
 */
export function prepareJinjaSource(source: string): string {
  let out = '';
  let at = 0;
  let line = 1;
  let counted = 0;
  const lineOf = (position: number) => {
    for (let i = source.indexOf('\n', counted); i >= 0 && i < position; i = source.indexOf('\n', i + 1)) line++;
    counted = Math.max(counted, position);
    return line;
  };
  for (;;) {
    const open = source.indexOf('{', at);
    if (open < 0 || open === source.length - 1) return out + source.slice(at);
    const kind = source[open + 1];
    if (kind !== '{' && kind !== '%' && kind !== '#') {
      out += source.slice(at, open + 1);
      at = open + 1;
      continue;
    }
    out += source.slice(at, open);
    if (kind === '#') {
      const end = source.indexOf('#}', open + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(open, stop);
      at = stop;
      continue;
    }
    const close = kind === '{' ? '}}' : '%}';
    const end = findClose(source, open + 2, close);
    if (end < 0) return out + source.slice(open); // unterminated: minijinja reports it with its line
    const tag = source.slice(open, end + 2);
    if (kind === '{') {
      out += wrapExpression(tag, lineOf(open));
      at = end + 2;
    } else if (isRawStart(tag)) {
      const endRaw = /\{%-?\s*endraw\s*-?%\}/g;
      endRaw.lastIndex = end + 2;
      const match = endRaw.exec(source);
      const stop = match ? match.index + match[0].length : source.length;
      out += source.slice(open, stop);
      at = stop;
    } else {
      out += rewriteStatement(tag, lineOf(open));
      at = end + 2;
    }
  }
}

/** The index of the closing delimiter, skipping quoted strings (which may contain it). */
function findClose(source: string, from: number, close: string): number {
  let quote: string | undefined;
  for (let i = from; i < source.length - 1; i++) {
    const char = source[i]!;
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === close[0] && source[i + 1] === close[1]) {
      return i;
    }
  }
  return -1;
}

function wrapExpression(tag: string, line: number): string {
  const inner = tag.slice(2, -2);
  const leading = inner.startsWith('-') || inner.startsWith('+') ? inner[0]! : '';
  const trailing = inner.length > leading.length && (inner.endsWith('-') || inner.endsWith('+')) ? inner.at(-1)! : '';
  let expression = inner.slice(leading.length, inner.length - trailing.length);
  if (expression.trim() === '') return tag;
  expression = rewritePythonCalls(expression, false, line);
  return `{{${leading} (${expression})|default(${UNDEFINED_MARK})|${PYTHON_TEXT_FILTER} ${trailing}}}`;
}

function isRawStart(tag: string): boolean {
  return /^\{%[-+]?\s*raw\s*[-+]?%\}$/.test(tag);
}

/** A `{% … %}` tag: `{% now %}` becomes a call, any other has its Python calls rewritten. */
function rewriteStatement(tag: string, line: number): string {
  const now = rewriteNowTag(tag);
  if (now !== tag) return now;
  const match = /^\{%([-+]?)([\s\S]*?)([-+]?)%\}$/.exec(tag);
  if (!match) return tag;
  const [, leading, inner, trailing] = match;
  return `{%${leading}${rewritePythonCalls(inner!, true, line)}${trailing}%}`;
}

function rewriteNowTag(tag: string): string {
  const match = /^\{%([-+]?)\s*now\s+([\s\S]*?)\s*([-+]?)%\}$/.exec(tag);
  if (!match) return tag;
  const [, leading, args, trailing] = match;
  return `{{${leading} ${NOW_FUNCTION}(${JSON.stringify(args)}) ${trailing}}}`;
}
