import { createHash } from 'node:crypto';
import { plainValue } from './python-text.js';
import { UserError } from '../user-error.js';

/**
 * Cookiecutter's default Jinja extensions, made deterministic so that rendering a template
 * version twice gives the same bytes (the base of an update is rendered again each time):
 * - `random_ascii_string(n, punctuation=False)` and `uuid4()` draw from SHA-256 of the
 *   repository, the scope (the variable whose default calls it, or the template file) and the
 *   call's number within that scope, so one repository always gets the same values and two
 *   repositories different ones;
 * - `{% now 'utc', '%Y' %}` is the template commit's date, not the clock.
 * `jsonify` and `slugify` are pure already. test/fixtures/cookiecutter/regenerate.py implements
 * the same draws in Python, so cookiecutter itself produces the expected files.
 */
export interface ExtensionSeed {
  /** `owner/name` of the repository rendered for. */
  readonly repository: string;
  /** The committer date of the template commit rendered. */
  readonly committedAt: Date;
}

const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** Draws for one scope: each call gets the next number. */
export class ScopedDraws {
  private calls = 0;

  constructor(private readonly seed: ExtensionSeed, private readonly scope: string) {}

  /** `length` bytes for this call. */
  bytes(length: number): Buffer {
    const call = this.calls++;
    const blocks: Buffer[] = [];
    for (let block = 0; blocks.length * 32 < length; block++) {
      blocks.push(createHash('sha256').update(`${this.seed.repository}\0${this.scope}\0${call}\0${block}`).digest());
    }
    return Buffer.concat(blocks).subarray(0, length);
  }
}

export function randomAsciiString(draws: ScopedDraws, length: unknown, options?: unknown): string {
  const count = Number(length);
  if (!Number.isInteger(count) || count < 0 || count > 100_000) throw new Error('random_ascii_string needs a length from 0 to 100000');
  const punctuation = options instanceof Map ? Boolean(options.get('punctuation')) : Boolean(options);
  const corpus = punctuation ? ASCII_LETTERS + PUNCTUATION : ASCII_LETTERS;
  return [...draws.bytes(count)].map((byte) => corpus[byte % corpus.length]).join('');
}

export function uuid4(draws: ScopedDraws): string {
  const bytes = draws.bytes(16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Python's `json.dumps(obj, sort_keys=True, indent=4)` (ensure_ascii, `, ` and `: `). */
export function jsonify(value: unknown, indent: unknown = 4): string {
  const step = typeof indent === 'number' ? indent : 4;
  return dumps(plainValue(value), step, '');
}

function dumps(value: unknown, step: number, pad: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return asciiJson(value);
  const inner = pad + ' '.repeat(step);
  const lines = Array.isArray(value)
    ? value.map((item) => dumps(item, step, inner))
    : Object.keys(value).sort().map((key) => `${asciiJson(key)}: ${dumps((value as Record<string, unknown>)[key], step, inner)}`);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (lines.length === 0) return open + close;
  return `${open}\n${lines.map((line) => inner + line).join(',\n')}\n${pad}${close}`;
}

function asciiJson(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** python-slugify's defaults: ASCII, lower case, runs of anything else as one separator. */
export function slugify(value: unknown, options?: unknown): string {
  const option = (name: string): unknown => (options instanceof Map ? options.get(name) : undefined);
  const separator = typeof option('separator') === 'string' ? (option('separator') as string) : '-';
  const lowercase = option('lowercase') !== false;
  const maxLength = Number(option('max_length') ?? 0);
  let text = String(value).normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/['"]+/g, '');
  if (lowercase) text = text.toLowerCase();
  text = text.replace(lowercase ? /[^a-z0-9]+/g : /[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (maxLength > 0) text = text.slice(0, maxLength).replace(/-+$/, '');
  return separator === '-' ? text : text.split('-').join(separator);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * `{% now 'utc' %}`, `{% now 'local', '%Y' %}`, `{% now 'utc' + 'days=1', '%d' %}`: the
 * template commit's date, in UTC ('local' too: the machine's zone would make output differ
 * between machines). The tag's arguments arrive as the text written in the tag.
 */
export function now(committedAt: Date, args: string): string {
  const match = /^(['"])(\w+)\1\s*(?:([+-])\s*(['"])([^'"]*)\4)?\s*(?:,\s*(['"])([^'"]*)\6)?$/.exec(args.trim());
  if (!match) throw new UserError(`{% now ${args} %}: expected a time zone and an optional format, such as {% now 'utc', '%Y-%m-%d' %}`);
  const [, , , sign, , offset, , format = '%Y-%m-%d'] = match;
  const date = new Date(committedAt.getTime() + (offset ? (sign === '-' ? -1 : 1) * offsetMs(offset) : 0));
  return strftime(date, format);
}

function offsetMs(offset: string): number {
  const units: Record<string, number> = { weeks: 604_800_000, days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000 };
  let total = 0;
  for (const part of offset.split(',')) {
    const [unit, amount] = part.split('=').map((s) => s.trim());
    if (!unit || !(unit in units) || amount === undefined || Number.isNaN(Number(amount))) {
      throw new UserError(`{% now %}: offset "${offset}" must be like 'days=1,hours=2' (weeks, days, hours, minutes, seconds)`);
    }
    total += Number(amount) * units[unit]!;
  }
  return total;
}

function strftime(date: Date, format: string): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const fields: Record<string, () => string> = {
    Y: () => String(date.getUTCFullYear()), y: () => two(date.getUTCFullYear() % 100), m: () => two(date.getUTCMonth() + 1),
    d: () => two(date.getUTCDate()), H: () => two(date.getUTCHours()), M: () => two(date.getUTCMinutes()), S: () => two(date.getUTCSeconds()),
    B: () => MONTHS[date.getUTCMonth()]!, b: () => MONTHS[date.getUTCMonth()]!.slice(0, 3), A: () => DAYS[date.getUTCDay()]!,
    a: () => DAYS[date.getUTCDay()]!.slice(0, 3), f: () => '000000', z: () => '+0000', Z: () => 'UTC', '%': () => '%',
  };
  return format.replace(/%(.)/g, (whole, code: string) => fields[code]?.() ?? whole);
}
