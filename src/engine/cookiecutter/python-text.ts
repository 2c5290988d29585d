/**
 * Values as Python's `str()` prints them, which is what Jinja writes for `{{ value }}`:
 * `True`/`False`/`None`, and containers as their `repr()` (`{'a': 1, 'b': [True]}`).
 * minijinja hands dicts to JavaScript as Maps.
 */
export function pythonText(value: unknown): string {
  // minijinja hands both an undefined value and None over as undefined. Printing an undefined
  // value is cookiecutter's StrictUndefined error, so that is what this is (a None printed
  // directly fails with it too; None inside a container prints as None).
  if (value === undefined) throw new Error('undefined value');
  return typeof value === 'string' ? value : pythonRepr(value);
}

function pythonRepr(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return stringRepr(value);
  if (typeof value === 'number') return numberText(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  const entries = value instanceof Map ? [...(value as Map<unknown, unknown>)] : Object.entries(value);
  return `{${entries.map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return String(value);
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
