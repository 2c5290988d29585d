import { checkedWidth, strFormat } from './python-format.js';
import { pythonRepr, typeName } from './python-text.js';

/**
 * The Python methods minijinja's pycompat lacks or gives otherwise than Python: `str.format`,
 * `zfill`, `center`, … and `title`, `isdigit`, `splitlines`, … where its answers differ
 * (`'a1b2'.title()` is A1B2, `''.isdigit()` False), and `dict.get(key, default)`. A call
 * `x.name(…)` of one of these names is handed here by python-calls.ts, whatever `x` is, so each
 * also serves the other types Python has it on (`list.index`, `list.count`).
 * Character classes are Unicode's as JavaScript's regular expressions give them.
 */

type Method = (receiver: unknown, args: Args) => unknown;

/** Positional and keyword arguments, read by parameter name as Python binds them. */
class Args {
  constructor(readonly name: string, private readonly positional: readonly unknown[], private readonly keywords: ReadonlyMap<string, unknown>) {}

  /** The arguments by the method's parameter names; a missing optional one is undefined. */
  bind(names: readonly string[], required = 0): unknown[] {
    if (this.positional.length > names.length) throw new TypeError(`${this.name}() takes at most ${names.length} arguments (${this.positional.length} given)`);
    for (const key of this.keywords.keys()) {
      if (!names.includes(key)) throw new TypeError(`'${key}' is an invalid keyword argument for ${this.name}()`);
    }
    const bound = names.map((key, i) => (i < this.positional.length ? this.positional[i] : this.keywords.get(key)));
    if (bound.slice(0, required).some((value, i) => value === undefined && i >= this.positional.length)) {
      throw new TypeError(`${this.name}() takes at least ${required} argument${required === 1 ? '' : 's'} (${this.positional.length} given)`);
    }
    return bound;
  }

  all(): { positional: readonly unknown[]; keywords: ReadonlyMap<string, unknown> } {
    return { positional: this.positional, keywords: this.keywords };
  }
}

const CASED = /[\p{Lu}\p{Ll}\p{Lt}]/u;
// Python counts the file, group, record and unit separators (\x1c-\x1f) as whitespace and line breaks.
// eslint-disable-next-line no-control-regex
const SPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
const DIGIT = /^[\p{Nd}\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792]$/u;
// eslint-disable-next-line no-control-regex
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/g;

const isCased = (char: string) => CASED.test(char);
const isUpper = (char: string) => /\p{Lu}/u.test(char);
const isLower = (char: string) => /\p{Ll}/u.test(char);
const all = (text: string, test: (char: string) => boolean) => text.length > 0 && [...text].every(test);

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be str, not ${typeName(value)}`);
  return value;
}

function integer(value: unknown, what: string): number {
  if (typeof value === 'boolean') return Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`'${typeName(value)}' object cannot be interpreted as an integer (${what})`);
  return value;
}

/** Python's slice bounds `[start:end]` on code points, as find/count/startswith take them. */
function window(receiver: string, start: unknown, end: unknown): { chars: string[]; from: number } {
  const chars = [...receiver];
  const clamp = (bound: unknown, fallback: number) => {
    if (bound === undefined) return fallback;
    const n = integer(bound, 'slice index');
    return n < 0 ? Math.max(0, chars.length + n) : Math.min(n, chars.length);
  };
  const from = clamp(start, 0);
  return { chars: chars.slice(from, Math.max(from, clamp(end, chars.length))), from };
}

function find(receiver: string, sub: string, start: unknown, end: unknown, last: boolean): number {
  const { chars, from } = window(receiver, start, end);
  const hay = chars.join('');
  const at = last ? hay.lastIndexOf(sub) : hay.indexOf(sub);
  return at < 0 ? -1 : from + [...hay.slice(0, at)].length;
}

function pad(receiver: string, width: unknown, fill: unknown, side: 'left' | 'right' | 'center'): string {
  const size = checkedWidth(integer(width, 'width'));
  const char = fill === undefined ? ' ' : text(fill, 'the fill character');
  if ([...char].length !== 1) throw new TypeError('The fill character must be exactly one character long');
  const missing = size - [...receiver].length;
  if (missing <= 0) return receiver;
  if (side === 'left') return char.repeat(missing) + receiver;
  if (side === 'right') return receiver + char.repeat(missing);
  // CPython's centre: the odd character goes left when the width is odd.
  const left = Math.floor(missing / 2) + (missing & size & 1);
  return char.repeat(left) + receiver + char.repeat(missing - left);
}

function splitFromRight(receiver: string, sep: unknown, maxsplit: unknown): string[] {
  const limit = maxsplit === undefined ? -1 : integer(maxsplit, 'maxsplit');
  if (sep === undefined) {
    const words = receiver.trim().split(/\s+/).filter((word) => word !== '');
    if (limit < 0 || words.length <= limit + 1) return words;
    // The left part keeps its leading whitespace, as Python's does.
    const match = new RegExp(`^([\\s\\S]*?\\S)((?:\\s+\\S+){${limit}})\\s*$`).exec(receiver)!;
    return [match[1]!, ...match[2]!.trim().split(/\s+/)];
  }
  const separator = text(sep, 'the separator');
  if (separator === '') throw new Error('empty separator');
  const parts = receiver.split(separator);
  if (limit < 0 || parts.length <= limit + 1) return parts;
  return [parts.slice(0, parts.length - limit).join(separator), ...parts.slice(parts.length - limit)];
}

function title(receiver: string): string {
  let previousCased = false;
  return [...receiver].map((char) => {
    const out = previousCased ? char.toLowerCase() : char.toUpperCase();
    previousCased = isCased(char);
    return isCased(char) ? out : char;
  }).join('');
}

function isTitle(receiver: string): boolean {
  let previousCased = false;
  let cased = false;
  for (const char of receiver) {
    if (isUpper(char) || /\p{Lt}/u.test(char)) {
      if (previousCased) return false;
      previousCased = cased = true;
    } else if (isLower(char)) {
      if (!previousCased) return false;
      previousCased = cased = true;
    } else {
      previousCased = false;
    }
  }
  return cased;
}

function index(receiver: unknown, args: Args, last: boolean): number {
  const [sub, start, end] = args.bind(['sub', 'start', 'end'], 1);
  if (Array.isArray(receiver) && !last) {
    const at = receiver.findIndex((item) => item === sub);
    if (at < 0) throw new Error(`${pythonRepr(sub)} is not in list`);
    return at;
  }
  const at = find(text(receiver, 'the receiver'), text(sub, 'the substring'), start, end, last);
  if (at < 0) throw new Error('substring not found');
  return at;
}

const STRING_METHODS: Record<string, Method> = {
  format: (s, a) => strFormat(s as string, a.all().positional, a.all().keywords),
  format_map: (s, a) => {
    const [mapping] = a.bind(['mapping'], 1);
    if (!(mapping instanceof Map)) throw new TypeError(`format_map() argument must be a mapping, not ${typeName(mapping)}`);
    return strFormat(s as string, [], mapping as Map<string, unknown>);
  },
  zfill: (s, a) => {
    const [width] = a.bind(['width'], 1);
    const value = s as string;
    const sign = /^[-+]/.test(value) ? value[0]! : '';
    return sign + pad(value.slice(sign.length), integer(width, 'width') - sign.length, '0', 'left');
  },
  center: (s, a) => pad(s as string, ...(a.bind(['width', 'fillchar'], 1) as [unknown, unknown]), 'center'),
  ljust: (s, a) => pad(s as string, ...(a.bind(['width', 'fillchar'], 1) as [unknown, unknown]), 'right'),
  rjust: (s, a) => pad(s as string, ...(a.bind(['width', 'fillchar'], 1) as [unknown, unknown]), 'left'),
  partition: (s, a) => {
    const sep = text(a.bind(['sep'], 1)[0], 'the separator');
    const at = (s as string).indexOf(sep);
    return at < 0 ? [s, '', ''] : [(s as string).slice(0, at), sep, (s as string).slice(at + sep.length)];
  },
  rpartition: (s, a) => {
    const sep = text(a.bind(['sep'], 1)[0], 'the separator');
    const at = (s as string).lastIndexOf(sep);
    return at < 0 ? ['', '', s] : [(s as string).slice(0, at), sep, (s as string).slice(at + sep.length)];
  },
  removeprefix: (s, a) => {
    const prefix = text(a.bind(['prefix'], 1)[0], 'the prefix');
    return (s as string).startsWith(prefix) ? (s as string).slice(prefix.length) : s;
  },
  removesuffix: (s, a) => {
    const suffix = text(a.bind(['suffix'], 1)[0], 'the suffix');
    return suffix !== '' && (s as string).endsWith(suffix) ? (s as string).slice(0, -suffix.length) : s;
  },
  casefold: (s, a) => (a.bind([]), (s as string).toUpperCase().toLowerCase()),
  swapcase: (s, a) => (a.bind([]), [...(s as string)].map((c) => (isUpper(c) ? c.toLowerCase() : isLower(c) ? c.toUpperCase() : c)).join('')),
  title: (s, a) => (a.bind([]), title(s as string)),
  istitle: (s, a) => (a.bind([]), isTitle(s as string)),
  isupper: (s, a) => (a.bind([]), [...(s as string)].some(isCased) && ![...(s as string)].some((c) => isLower(c) || /\p{Lt}/u.test(c))),
  islower: (s, a) => (a.bind([]), [...(s as string)].some(isCased) && ![...(s as string)].some((c) => isUpper(c) || /\p{Lt}/u.test(c))),
  isspace: (s, a) => (a.bind([]), all(s as string, (c) => SPACE.test(c))),
  isdecimal: (s, a) => (a.bind([]), all(s as string, (c) => /\p{Nd}/u.test(c))),
  isdigit: (s, a) => (a.bind([]), all(s as string, (c) => DIGIT.test(c))),
  isnumeric: (s, a) => (a.bind([]), all(s as string, (c) => /[\p{Nd}\p{Nl}\p{No}]/u.test(c))),
  isalpha: (s, a) => (a.bind([]), all(s as string, (c) => /\p{L}/u.test(c))),
  isalnum: (s, a) => (a.bind([]), all(s as string, (c) => /[\p{L}\p{Nd}\p{Nl}\p{No}]/u.test(c))),
  isidentifier: (s, a) => (a.bind([]), /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u.test(s as string)),
  splitlines: (s, a) => {
    const [keepends] = a.bind(['keepends']);
    const lines: string[] = [];
    let at = 0;
    for (const match of (s as string).matchAll(LINE_BREAK)) {
      lines.push((s as string).slice(at, keepends ? match.index + match[0].length : match.index));
      at = match.index + match[0].length;
    }
    if (at < (s as string).length) lines.push((s as string).slice(at));
    return lines;
  },
  rsplit: (s, a) => splitFromRight(s as string, ...(a.bind(['sep', 'maxsplit']) as [unknown, unknown])),
  expandtabs: (s, a) => {
    const size = checkedWidth(integer(a.bind(['tabsize'])[0] ?? 8, 'tabsize'), 'tab size');
    let column = 0;
    return [...(s as string)].map((c) => {
      if (c === '\n' || c === '\r') column = 0;
      if (c !== '\t') return (column += c === '\n' || c === '\r' ? 0 : 1, c);
      const spaces = size > 0 ? size - (column % size) : 0;
      column += spaces;
      return ' '.repeat(spaces);
    }).join('');
  },
  find: (s, a) => {
    const [sub, start, end] = a.bind(['sub', 'start', 'end'], 1);
    return find(s as string, text(sub, 'the substring'), start, end, false);
  },
  rfind: (s, a) => {
    const [sub, start, end] = a.bind(['sub', 'start', 'end'], 1);
    return find(s as string, text(sub, 'the substring'), start, end, true);
  },
  startswith: (s, a) => affix(s as string, a, (hay, x) => hay.startsWith(x)),
  endswith: (s, a) => affix(s as string, a, (hay, x) => hay.endsWith(x)),
};

function affix(receiver: string, args: Args, test: (hay: string, affix: string) => boolean): boolean {
  const [value, start, end] = args.bind(['prefix', 'start', 'end'], 1);
  const hay = window(receiver, start, end).chars.join('');
  const options = Array.isArray(value) ? value : [value];
  return options.some((option) => test(hay, text(option, `${args.name} first arg`)));
}

function count(receiver: unknown, args: Args): number {
  if (Array.isArray(receiver)) return receiver.filter((item) => item === args.bind(['value'], 1)[0]).length;
  const [sub, start, end] = args.bind(['sub', 'start', 'end'], 1);
  const hay = window(text(receiver, 'the receiver'), start, end).chars.join('');
  const needle = text(sub, 'the substring');
  return needle === '' ? [...hay].length + 1 : hay.split(needle).length - 1;
}

/** The names python-calls.ts hands here: a call of any other method stays minijinja's. */
export const PYTHON_METHODS: ReadonlySet<string> = new Set([...Object.keys(STRING_METHODS), 'index', 'rindex', 'count', 'get']);

/** Calls `receiver.name(...positional, **keywords)` as Python would. */
export function callPythonMethod(receiver: unknown, name: string, positional: readonly unknown[], keywords: ReadonlyMap<string, unknown>): unknown {
  const args = new Args(name, positional, keywords);
  if (receiver === undefined) throw new Error(`cannot call .${name}() on an undefined value or None`);
  if (name === 'index' || name === 'rindex') return index(receiver, args, name === 'rindex');
  if (name === 'count') return count(receiver, args);
  if (name === 'get' && receiver instanceof Map) {
    const [key, fallback] = args.bind(['key', 'default'], 1);
    return (receiver as Map<unknown, unknown>).has(key) ? (receiver as Map<unknown, unknown>).get(key) : fallback ?? null;
  }
  const method = typeof receiver === 'string' ? STRING_METHODS[name] : undefined;
  if (!method) throw new Error(`'${typeName(receiver)}' object has no attribute '${name}'`);
  return method(receiver, args);
}
