import { asciiOnly, checkedWidth, formatValue } from './python-format.js';
import { pythonRepr, pythonStr, typeName } from './python-text.js';

/**
 * Python's printf-style formatting, `'%s-%05.2f' % (a, b)`, which Jinja's `format` filter is
 * too. Each conversion is handed to the format mini-language it corresponds to (`%-5d` is
 * `format(x, '<5d')`), so both kinds of formatting share one set of number rules.
 */

const CONVERSION = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?([\s\S])?/y;

/**
 * `format % values`: a tuple (an array) gives the arguments in order; a dict (a Map) is
 * looked up by `%(name)s`; anything else is the one argument.
 */
export function percentFormat(format: string, values: unknown): string {
  const mapping = values instanceof Map ? (values as Map<unknown, unknown>) : undefined;
  const args = Array.isArray(values) ? [...(values as unknown[])] : [values];
  let next = 0;
  let usedMapping = false;
  const take = (): unknown => {
    if (next >= args.length) throw new TypeError('not enough arguments for format string');
    return args[next++];
  };
  let out = '';
  for (let i = 0; i < format.length;) {
    const percent = format.indexOf('%', i);
    if (percent < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    CONVERSION.lastIndex = percent;
    const match = CONVERSION.exec(format)!;
    const [whole, key, flags = '', width, precision, type] = match;
    if (type === undefined) throw new Error('incomplete format');
    i = percent + whole.length;
    if (type === '%' && key === undefined && whole === '%%') {
      out += '%';
      continue;
    }
    const widthValue = width === '*' ? integerArgument(take()) : Number(width ?? 0);
    checkedWidth(Math.abs(widthValue));
    const precisionValue = precision === '*' ? integerArgument(take()) : precision === undefined ? undefined : Number(precision || 0);
    if (precisionValue !== undefined) checkedWidth(precisionValue, 'precision');
    let value: unknown;
    if (key !== undefined) {
      if (!mapping) throw new TypeError('format requires a mapping');
      if (!mapping.has(key)) throw new Error(`KeyError: ${pythonRepr(key)}`);
      value = mapping.get(key);
      usedMapping = true;
    } else {
      value = type === '%' ? '%' : take();
    }
    out += convert(value, type, flags, widthValue, precisionValue, i - 1);
  }
  if (!usedMapping && !(mapping && args.length === 1) && next < args.length) {
    throw new TypeError('not all arguments converted during string formatting');
  }
  return out;
}

function integerArgument(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError('* wants int');
  return value;
}

function convert(value: unknown, type: string, flags: string, width: number, precision: number | undefined, at: number): string {
  const left = flags.includes('-') || width < 0;
  const sign = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const alternate = flags.includes('#') ? '#' : '';
  const zero = flags.includes('0') && !left ? '0' : '';
  const size = Math.abs(width) || '';
  const align = left ? '<' : '>';
  if (type === 's' || type === 'r' || type === 'a' || type === '%') {
    const text = type === 's' ? pythonStr(value) : type === 'r' ? pythonRepr(value) : type === 'a' ? asciiOnly(pythonRepr(value)) : '%';
    return formatValue(text, `${align}${size}${precision === undefined ? '' : `.${precision}`}`);
  }
  if (type === 'c') {
    const char = typeof value === 'string' ? value : typeof value === 'number' && Number.isInteger(value) ? charOf(value) : undefined;
    if (char === undefined || [...char].length !== 1) throw new TypeError('%c requires int or char');
    return formatValue(char, `${align}${size}`);
  }
  const number = typeof value === 'boolean' ? Number(value) : value;
  if ('diu'.includes(type)) {
    if (typeof number !== 'number' && typeof number !== 'bigint') throw new TypeError(`%${type} format: a real number is required, not ${typeName(value)}`);
    const integer = typeof number === 'bigint' ? number : BigInt(Math.trunc(number));
    return withPrecision(integer, precision, `${left ? '<' : zero ? '0=' : '>'}${sign}${size}d`);
  }
  if ('oxX'.includes(type)) {
    if (typeof number === 'number' && !Number.isInteger(number)) throw new TypeError(`%${type} format: an integer is required, not float`);
    if (typeof number !== 'number' && typeof number !== 'bigint') throw new TypeError(`%${type} format: an integer is required, not ${typeName(value)}`);
    return withPrecision(BigInt(number), precision, `${left ? '<' : zero ? '0=' : '>'}${sign}${alternate}${size}${type}`);
  }
  if ('eEfFgG'.includes(type)) {
    if (typeof number !== 'number' && typeof number !== 'bigint') throw new TypeError(`must be real number, not ${typeName(value)}`);
    const spec = `${left ? '<' : zero ? '0=' : '>'}${sign}${alternate}${size}.${precision ?? 6}${type}`;
    return formatValue(Number(number), spec);
  }
  throw new Error(`unsupported format character '${type}' (0x${type.codePointAt(0)!.toString(16)}) at index ${at}`);
}

/** `%.3d`: the precision is a minimum number of digits, zero-padded after the sign. */
function withPrecision(value: bigint, precision: number | undefined, spec: string): string {
  if (precision === undefined) return formatValue(value, spec);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(precision, '0');
  const match = /^(0=|[<>])([-+ ]?)(#?)(\d*)([a-zA-Z])$/.exec(spec)!;
  const [, align, sign, alternate, width, type] = match;
  const body = type === 'd' ? digits : (negative ? -value : value).toString(type === 'o' ? 8 : 16).padStart(precision, '0');
  const lead = `${negative ? '-' : sign ?? ''}${alternate && type !== 'd' ? `0${type}` : ''}`;
  const digitsText = type === 'X' ? body.toUpperCase() : body;
  if (align === '0=') return lead + digitsText.padStart(Number(width || 0) - lead.length, '0');
  return formatValue(lead + digitsText, `${align}${width}`);
}

function charOf(code: number): string {
  if (code < 0 || code > 0x10ffff) throw new Error('%c arg not in range(0x110000)');
  return String.fromCodePoint(code);
}

/** Jinja's `format` filter, Jinja2's `do_format`: `value % args`, or `value % kwargs`. */
export function formatFilter(value: unknown, args: readonly unknown[], kwargs: ReadonlyMap<string, unknown>): string {
  if (args.length > 0 && kwargs.size > 0) throw new Error("can't handle positional and keyword arguments at the same time");
  return percentFormat(pythonStr(value), kwargs.size > 0 ? kwargs : [...args]);
}
