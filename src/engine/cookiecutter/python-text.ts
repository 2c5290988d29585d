import { floatRepr } from './python-number.js';

/**
 * Values as Python's `str()` prints them, which is what Jinja writes for `{{ value }}`:
 * `True`/`False`/`None`, and containers as their `repr()` (`{'a': 1, 'b': [True]}`).
 * minijinja hands dicts to JavaScript as Maps.
 */
export function pythonText(value: unknown): string {
  // Printing an undefined value is cookiecutter's StrictUndefined error. minijinja hands both an
  // undefined value and None over as undefined, so a printed value that is undefined arrives as
  // UNDEFINED_TEXT instead (jinja-source.ts), and undefined here is None.
  if (value === UNDEFINED_TEXT) throw new Error('undefined value');
  return pythonStr(value);
}

/** What a printed value that is undefined is replaced by: text no template writes. */
export const UNDEFINED_TEXT = '\u0000template-drift: undefined\u0000';

/** `str(value)` of a value a callback was given: None arrives as undefined, so it prints as None. */
export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

/** Python's `repr()`: containers, text quoted, True/False/None. */
export function pythonRepr(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return stringRepr(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberText(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  const entries = value instanceof Map ? [...(value as Map<unknown, unknown>)] : Object.entries(value);
  return `{${entries.map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
}

function numberText(value: number | bigint): string {
  return typeof value === 'bigint' || Number.isInteger(value) ? String(value) : floatRepr(value);
}

/** The name of a value's Python type, for error messages. */
export function typeName(value: unknown): string {
  if (value === undefined || value === null) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'bigint') return 'int';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/** Python's repr of a str: single quotes unless the text holds one and no double quote. */
function stringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (char === quote) out += `\\${quote}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return out + quote;
}

/** A value from minijinja as plain JSON-able data (its dicts arrive as Maps). */
export function plainValue(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries([...(value as Map<unknown, unknown>)].map(([k, v]) => [String(k), plainValue(v)]));
  if (Array.isArray(value)) return value.map(plainValue);
  return value;
}
