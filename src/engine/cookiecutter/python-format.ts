import { exponent, fixed, general, generalRepr } from './python-number.js';
import { pythonRepr, pythonStr, typeName } from './python-text.js';

/**
 * Python's `format(value, spec)` and `str.format`, as Python 3 gives them, for the values a
 * template has: text, numbers, booleans, None, lists and dicts (Maps). A number minijinja hands
 * over without a fraction is an int (JavaScript has one number type: `3.0` arrives as 3).
 * Mistakes raise Python's own messages (`Unknown format code 'd' for object of type 'str'`).
 */

interface Spec {
  fill: string;
  align?: string;
  sign: string;
  z: boolean;
  alternate: boolean;
  zero: boolean;
  width: number;
  grouping?: string;
  precision?: number;
  type: string;
}

const SPEC = /^(?:([\s\S])?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([a-zA-Z%])?$/;

/**
 * The widest a width, precision or padding may make one value. Python would build whatever it
 * is asked for; a template is untrusted, and `'{:999999999}'` must not take the process's memory
 * before the render budget ever sees the text.
 */
export const MAX_WIDTH = 10_000_000;

/** `n`, or an error for one beyond MAX_WIDTH. */
export function checkedWidth(n: number, what = 'width'): number {
  if (n > MAX_WIDTH) throw new Error(`a ${what} of ${n} is more than the ${MAX_WIDTH} characters a template may pad or format one value to`);
  return n;
}

function parseSpec(text: string): Spec {
  const match = SPEC.exec(text);
  if (!match) throw new Error(`Invalid format specifier '${text}'`);
  const [, fill, align, sign, z, alternate, zero, width, grouping, precision, type] = match;
  if (width !== undefined) checkedWidth(Number(width));
  if (precision !== undefined) checkedWidth(Number(precision), 'precision');
  return {
    fill: fill ?? ' ', align, sign: sign ?? '', z: z !== undefined, alternate: alternate !== undefined, zero: zero !== undefined,
    width: Number(width ?? 0), grouping, precision: precision === undefined ? undefined : Number(precision), type: type ?? '',
  };
}

/** Python's `format(value, spec)`. */
export function formatValue(value: unknown, specText: string): string {
  if (typeof value === 'boolean' && specText === '') return value ? 'True' : 'False';
  if (typeof value === 'boolean') return formatNumber(value ? 1 : 0, parseSpec(specText));
  if (typeof value === 'number' || typeof value === 'bigint') return formatNumber(value, parseSpec(specText));
  if (typeof value === 'string') return formatText(value, parseSpec(specText));
  if (specText !== '') throw new TypeError(`unsupported format string passed to ${typeName(value)}.__format__`);
  return pythonStr(value);
}

function formatText(text: string, spec: Spec): string {
  if (spec.type !== '' && spec.type !== 's') throw new Error(`Unknown format code '${spec.type}' for object of type 'str'`);
  if (spec.sign !== '') throw new Error('Sign not allowed in string format specifier');
  if (spec.alternate) throw new Error('Alternate form (#) not allowed in string format specifier');
  if (spec.align === '=') throw new Error("'=' alignment not allowed in string format specifier");
  if (spec.grouping) throw new Error(`Cannot specify '${spec.grouping}' with 's'.`);
  const chars = [...text];
  const body = spec.precision === undefined ? text : chars.slice(0, spec.precision).join('');
  return pad('', body, spec, '<');
}

const INTEGER_TYPES = new Set(['', 'b', 'c', 'd', 'o', 'x', 'X', 'n']);
const FLOAT_TYPES = new Set(['', 'e', 'E', 'f', 'F', 'g', 'G', 'n', '%']);

function formatNumber(value: number | bigint, spec: Spec): string {
  const integral = typeof value === 'bigint' || Number.isInteger(value);
  if (integral && INTEGER_TYPES.has(spec.type)) return formatInteger(BigInt(value), spec);
  if (!FLOAT_TYPES.has(spec.type)) throw new Error(`Unknown format code '${spec.type}' for object of type '${integral ? 'int' : 'float'}'`);
  return formatFloat(Number(value), spec);
}

function formatInteger(value: bigint, spec: Spec): string {
  const { type } = spec;
  if (spec.precision !== undefined) throw new Error('Precision not allowed in integer format specifier');
  if (spec.grouping === ',' && 'bcoxXn'.includes(type) && type !== '') throw new Error(`Cannot specify ',' with '${type}'.`);
  if (type === 'c') {
    if (spec.sign !== '') throw new Error("Sign not allowed with integer format specifier 'c'");
    if (value < 0n || value > 0x10ffffn) throw new Error('%c arg not in range(0x110000)');
    return pad('', String.fromCodePoint(Number(value)), spec, '<');
  }
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const base = type === 'b' ? 2 : type === 'o' ? 8 : type === 'x' || type === 'X' ? 16 : 10;
  let digits = magnitude.toString(base);
  if (type === 'X') digits = digits.toUpperCase();
  const prefix = spec.alternate && base !== 10 ? `0${type === 'X' ? 'X' : type}` : '';
  return padNumber(signOf(negative, spec) + prefix, digits, '', spec, base === 10 ? 3 : 4);
}

function formatFloat(value: number, spec: Spec): string {
  const { type, alternate } = spec;
  let negative = value < 0 || Object.is(value, -0);
  const magnitude = Math.abs(value);
  const precision = spec.precision ?? 6;
  let text: string;
  if (!Number.isFinite(magnitude)) text = Number.isNaN(magnitude) ? 'nan' : 'inf';
  else if (type === 'f' || type === 'F') text = fixed(magnitude, precision, alternate);
  else if (type === 'e' || type === 'E') text = exponent(magnitude, precision, alternate, type === 'E');
  else if (type === 'g' || type === 'G' || type === 'n') text = general(magnitude, precision, alternate, type === 'G');
  else if (type === '%') text = `${fixed(magnitude * 100, precision, alternate)}%`;
  else text = generalRepr(magnitude, spec.precision, alternate);
  if (type === 'F' || type === 'E' || type === 'G') text = text.toUpperCase();
  if (spec.z && negative && !/[1-9]/.test(text)) negative = false;
  const split = /^(\d*)(.*)$/s.exec(text)!;
  return padNumber(signOf(negative, spec), split[1]!, split[2]!, spec, 3);
}

function signOf(negative: boolean, spec: Spec): string {
  if (negative) return '-';
  return spec.sign === '+' ? '+' : spec.sign === ' ' ? ' ' : '';
}

/** Grouping and padding of a number: `sign+prefix`, integer digits, the rest (fraction, exponent). */
function padNumber(lead: string, digits: string, rest: string, spec: Spec, groupSize: number): string {
  const zeroFill = spec.zero && spec.align === undefined;
  const grouped = (text: string) => (spec.grouping ? group(text, spec.grouping, groupSize) : text);
  if (zeroFill || (spec.align === '=' && spec.fill === '0')) {
    let padded = digits;
    while (lead.length + grouped(padded).length + rest.length < spec.width) padded = `0${padded}`;
    return lead + grouped(padded) + rest;
  }
  return pad(lead, grouped(digits) + rest, spec, '>');
}

function group(digits: string, separator: string, size: number): string {
  const out: string[] = [];
  for (let end = digits.length; end > 0; end -= size) out.unshift(digits.slice(Math.max(0, end - size), end));
  return out.join(separator);
}

function pad(lead: string, body: string, spec: Spec, defaultAlign: string): string {
  const fill = spec.zero && spec.align === undefined ? '0' : spec.fill === ' ' && spec.zero ? '0' : spec.fill;
  const align = spec.align ?? defaultAlign;
  const length = [...lead].length + [...body].length;
  const missing = Math.max(0, spec.width - length);
  if (align === '<') return lead + body + fill.repeat(missing);
  if (align === '^') return fill.repeat(Math.floor(missing / 2)) + lead + body + fill.repeat(missing - Math.floor(missing / 2));
  if (align === '=') return lead + fill.repeat(missing) + body;
  return fill.repeat(missing) + lead + body;
}

/** `str.format(*args, **kwargs)`. */
export function strFormat(template: string, args: readonly unknown[], kwargs: ReadonlyMap<string, unknown>): string {
  const numbering = { auto: 0, mode: '' as '' | 'auto' | 'manual' };
  const resolve = (field: string): unknown => resolveField(field, args, kwargs, numbering);
  return replaceFields(template, (field, conversion, spec) => {
    const value = resolve(field);
    const converted = conversion === 'r' ? pythonRepr(value) : conversion === 's' ? pythonStr(value) : conversion === 'a' ? asciiOnly(pythonRepr(value)) : value;
    const nestedSpec = replaceFields(spec, (inner, innerConversion, innerSpec) => {
      if (innerConversion || innerSpec) throw new Error('Max string recursion exceeded');
      return formatValue(resolve(inner), '');
    }, true);
    return formatValue(converted, nestedSpec);
  }, false);
}

type FieldWriter = (field: string, conversion: string, spec: string) => string;

/** Walks literal text and `{field!conversion:spec}` fields (the spec may hold `{nested}` fields). */
function replaceFields(template: string, write: FieldWriter, nested: boolean): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const char = template[i]!;
    if (char === '}') {
      if (template[i + 1] !== '}' || nested) {
        if (nested) throw new Error("unmatched '{' in format spec");
        throw new Error("Single '}' encountered in format string");
      }
      out += '}';
      i++;
    } else if (char !== '{') {
      out += char;
    } else if (template[i + 1] === '{' && !nested) {
      out += '{';
      i++;
    } else {
      let depth = 1;
      let end = i + 1;
      for (; end < template.length && depth > 0; end++) {
        if (template[end] === '{') depth++;
        else if (template[end] === '}') depth--;
      }
      if (depth > 0 && nested) throw new Error("unmatched '{' in format spec");
      if (depth > 0) throw new Error(i === template.length - 1 ? "Single '{' encountered in format string" : "expected '}' before end of string");
      const inner = template.slice(i + 1, end - 1);
      const match = /^([^!:]*)(?:!([^:]*))?(?::([\s\S]*))?$/.exec(inner)!;
      const conversion = match[2];
      if (conversion !== undefined && conversion.length !== 1) throw new Error(conversion === '' ? "unmatched '{' in format spec" : 'expected \':\' after conversion specifier');
      if (conversion !== undefined && !'rsa'.includes(conversion)) throw new Error(`Unknown conversion specifier ${conversion}`);
      out += write(match[1]!, conversion ?? '', match[3] ?? '');
      i = end - 1;
    }
  }
  return out;
}

function resolveField(field: string, args: readonly unknown[], kwargs: ReadonlyMap<string, unknown>, numbering: { auto: number; mode: string }): unknown {
  const match = /^([^.[]*)([\s\S]*)$/.exec(field)!;
  const name = match[1]!;
  let value: unknown;
  if (name === '' || /^\d+$/.test(name)) {
    const mode = name === '' ? 'auto' : 'manual';
    if (numbering.mode && numbering.mode !== mode) {
      throw new Error(mode === 'auto' ? 'cannot switch from manual field specification to automatic field numbering' : 'cannot switch from automatic field numbering to manual field specification');
    }
    numbering.mode = mode;
    const index = name === '' ? numbering.auto++ : Number(name);
    if (index >= args.length) throw new Error(`Replacement index ${index} out of range for positional args tuple`);
    value = args[index];
  } else {
    if (!kwargs.has(name)) throw new Error(`KeyError: '${name}'`);
    value = kwargs.get(name);
  }
  const accessors = /\.([^.[]+)|\[([^\]]+)\]/gy;
  let rest = match[2]!;
  for (let part = accessors.exec(rest); part; part = accessors.exec(rest)) {
    value = part[1] !== undefined ? attribute(value, part[1]) : item(value, part[2]!);
    if (accessors.lastIndex === rest.length) {
      rest = '';
      break;
    }
  }
  if (rest !== '' && accessors.lastIndex !== rest.length) throw new Error("Only '.' or '[' may follow ']' in format field specifier");
  return value;
}

function attribute(value: unknown, name: string): unknown {
  if (typeof value === 'number' && name === 'real') return value;
  if (typeof value === 'number' && name === 'imag') return 0;
  throw new Error(`'${typeName(value)}' object has no attribute '${name}'`);
}

function item(value: unknown, key: string): unknown {
  const index = /^\d+$/.test(key) ? Number(key) : undefined;
  if (Array.isArray(value) || typeof value === 'string') {
    if (index === undefined) throw new TypeError(`${typeName(value)} indices must be integers or slices, not str`);
    const items = typeof value === 'string' ? [...value] : value;
    if (index >= items.length) throw new Error(`${typeName(value)} index out of range`);
    return items[index];
  }
  if (value instanceof Map) {
    const found = (value as Map<unknown, unknown>).has(key) ? key : index;
    if (!(value as Map<unknown, unknown>).has(found)) throw new Error(`KeyError: ${pythonRepr(index ?? key)}`);
    return (value as Map<unknown, unknown>).get(found);
  }
  throw new TypeError(`'${typeName(value)}' object is not subscriptable`);
}

/** `ascii()`: repr with every character beyond ASCII escaped. */
export function asciiOnly(text: string): string {
  return [...text].map((char) => {
    const code = char.codePointAt(0)!;
    if (code < 0x80) return char;
    if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
    if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
    return `\\U${code.toString(16).padStart(8, '0')}`;
  }).join('');
}
