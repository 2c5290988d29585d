import { isDeepStrictEqual } from 'node:util';
import type { ResolvedVariables } from '../resolve-variables.js';
import type { AnswerValue } from '../template-manifest.js';
import { UserError } from '../user-error.js';
import type { CookiecutterJinja } from './jinja-env.js';
import { COOKIECUTTER_FILE } from './cookiecutter-template.js';

export interface CookiecutterInputs {
  /** Answers recorded before (the answers file's `variables`, `.cruft.json`'s context). */
  readonly answers?: Readonly<Record<string, unknown>>;
  /** `--var k=v`: text, read according to each variable's default. */
  readonly overrides?: Readonly<Record<string, string>>;
}

/**
 * The variables as cookiecutter 2.x computes them with `--no-input`:
 * 1. answers replace defaults (cookiecutter's `extra_context`): a choice's answer must be one of
 *    its items and becomes the first, a boolean's text answer is read as yes/no, a dict's answer
 *    is merged into it, and names the template does not have are left out;
 * 2. in cookiecutter.json's order, `_x` is kept raw, `__x` is rendered, a list gives its first
 *    item rendered, a boolean stays one, anything else is rendered as Jinja text (a number
 *    becomes its text), each with the variables before it;
 * 3. dicts are rendered last, key and value, so they may use every other variable.
 */
export function resolveCookiecutterVariables(context: Readonly<Record<string, unknown>>, inputs: CookiecutterInputs, jinja: CookiecutterJinja): ResolvedVariables {
  const problems: string[] = [];
  const given = givenValues(context, inputs, problems);
  const raw: Record<string, unknown> = { ...context };
  for (const [name, value] of Object.entries(given)) raw[name] = overwrite(name, context[name], value, problems);
  if (problems.length > 0) throw new UserError(`Variables for ${COOKIECUTTER_FILE} are not valid: ${problems.join('; ')}`);

  const values: Record<string, AnswerValue> = {};
  const render = (value: unknown, name: string): AnswerValue => renderValue(value, values, jinja, name);
  for (const [name, value] of Object.entries(raw)) {
    if (name.startsWith('_') && !name.startsWith('__')) values[name] = value as AnswerValue;
    else if (name.startsWith('__')) values[name] = render(value, name);
    else if (Array.isArray(value)) values[name] = render(value.length > 0 ? value[0] : null, name);
    else if (!isDict(value)) values[name] = render(value, name);
  }
  for (const [name, value] of Object.entries(raw)) {
    if (isDict(value) && !(name.startsWith('_') && !name.startsWith('__'))) values[name] = render(value, name);
  }
  const defaulted = Object.keys(context).filter((name) => !name.startsWith('_') && !(name in given));
  return { values: orderedAs(context, values), defaulted };
}

function givenValues(context: Readonly<Record<string, unknown>>, inputs: CookiecutterInputs, problems: string[]): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inputs.answers ?? {})) {
    if (name in context && !name.startsWith('_') && value !== undefined) given[name] = value;
  }
  for (const [name, text] of Object.entries(inputs.overrides ?? {})) {
    if (!(name in context) || name.startsWith('_')) {
      problems.push(`--var names "${name}", which ${COOKIECUTTER_FILE} does not have`);
    } else if (isDict(context[name])) {
      try {
        given[name] = JSON.parse(text);
      } catch {
        problems.push(`"${name}" is a dict: give --var ${name}= a JSON object`);
      }
    } else {
      given[name] = text;
    }
  }
  return given;
}

function overwrite(name: string, current: unknown, value: unknown, problems: string[]): unknown {
  if (Array.isArray(current)) {
    const index = current.findIndex((item) => isDeepStrictEqual(item, value) || String(item) === String(value));
    if (index < 0) {
      problems.push(`"${name}" is "${String(value)}" but must be one of: ${current.map(String).join(', ')}`);
      return current;
    }
    const items = current as unknown[];
    return [items[index], ...items.filter((_, i) => i !== index)];
  }
  if (typeof current === 'boolean' && typeof value === 'string') {
    if (/^(1|true|t|yes|y|on)$/i.test(value)) return true;
    if (/^(0|false|f|no|n|off)$/i.test(value)) return false;
    problems.push(`"${name}" must be yes or no (true or false), not "${value}"`);
    return current;
  }
  if (isDict(current) && isDict(value)) {
    const merged: Record<string, unknown> = { ...current };
    for (const [key, inner] of Object.entries(value)) merged[key] = overwrite(`${name}.${key}`, current[key], inner, problems);
    return merged;
  }
  return value;
}

/** cookiecutter's render_variable: None and booleans as they are, containers item by item, the rest as Jinja text. */
function renderValue(value: unknown, values: Record<string, AnswerValue>, jinja: CookiecutterJinja, name: string): AnswerValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item) => renderValue(item, values, jinja, name));
  if (isDict(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) =>
      [renderValue(key, values, jinja, name) as string, renderValue(inner, values, jinja, name)]));
  }
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  if (!text.includes('{')) return text;
  return jinja.render(text, { cookiecutter: values }, `${COOKIECUTTER_FILE}: default of "${name}"`, `variable:${name}`);
}

function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function orderedAs(context: Readonly<Record<string, unknown>>, values: Record<string, AnswerValue>): Record<string, AnswerValue> {
  return Object.fromEntries(Object.keys(context).filter((name) => name in values).map((name) => [name, values[name]!]));
}
