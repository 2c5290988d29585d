import { renderText } from './handlebars-env.js';
import type { RenderBudget } from './render-budget.js';
import type { AnswerValue, TemplateManifest, VariableSpec, VariableValue } from './template-manifest.js';
import { UserError } from './user-error.js';

export interface RepoIdentity {
  readonly owner: string;
  readonly name: string;
}

export interface VariableInputs {
  /** `variables:` from the answers file: what the repository chose before. */
  readonly answers?: Readonly<Record<string, unknown>>;
  /** `--var k=v` from the command line: text, read according to each variable's type. */
  readonly overrides?: Readonly<Record<string, string>>;
  readonly repo: RepoIdentity;
  /** The render budget of the template version these variables are for (defaults are rendered). */
  readonly budget?: RenderBudget;
}

export interface ResolvedVariables {
  /** Every declared variable, in declaration order. */
  readonly values: Readonly<Record<string, AnswerValue>>;
  /** Variables whose value came from a default because nobody had answered them. */
  readonly defaulted: readonly string[];
}

/** What templates see: the declared variables plus `repo.name` / `repo.owner`. */
export function renderContext(variables: ResolvedVariables, repo: RepoIdentity): Record<string, unknown> {
  return { ...variables.values, repo: { name: repo.name, owner: repo.owner } };
}

/**
 * Decides each variable's value: the answers file, then `--var`, then the default (rendered with
 * the variables before it and `repo`). Every value is checked against its type, pattern and
 * choices; all problems are reported together so a person fixes them in one go.
 */
export function resolveVariables(manifest: TemplateManifest, inputs: VariableInputs): ResolvedVariables {
  const declared = new Set(manifest.variables.map((v) => v.name));
  const unknown = Object.keys(inputs.overrides ?? {}).filter((name) => !declared.has(name));
  if (unknown.length > 0) {
    throw new UserError(`--var names a variable ${manifest.name} does not declare: ${unknown.join(', ')}`);
  }
  if (declared.has('repo')) {
    throw new UserError('template.yml: "repo" is reserved for repo.name and repo.owner; rename that variable');
  }

  const values: Record<string, VariableValue> = {};
  const defaulted: string[] = [];
  const problems: string[] = [];
  for (const spec of manifest.variables) {
    const override = inputs.overrides?.[spec.name];
    const answered = inputs.answers?.[spec.name];
    let value: VariableValue | undefined;
    if (override !== undefined) {
      value = fromText(spec, override, problems);
    } else if (answered !== undefined && answered !== null) {
      value = fromAnswer(spec, answered, problems);
    } else if (spec.default !== undefined) {
      try {
        value = typeof spec.default === 'string'
          ? renderText(spec.default, { ...values, repo: inputs.repo }, `default of variable "${spec.name}"`, inputs.budget)
          : spec.default;
      } catch (error) {
        // A default built on a variable already reported as missing or invalid: that report is the cause.
        if (problems.length > 0) continue;
        throw error;
      }
      defaulted.push(spec.name);
    } else {
      problems.push(`"${spec.name}" is required${spec.description ? ` (${spec.description})` : ''}`);
      continue;
    }
    if (value === undefined) continue;
    const problem = checkValue(spec, value);
    if (problem) problems.push(problem);
    values[spec.name] = value;
  }
  if (problems.length > 0) {
    throw new UserError(`Variables for ${manifest.name} are not valid: ${problems.join('; ')}`);
  }
  return { values, defaulted };
}

function fromText(spec: VariableSpec, raw: string, problems: string[]): VariableValue | undefined {
  if (spec.type === 'boolean') {
    if (/^(true|yes|on|1)$/i.test(raw)) return true;
    if (/^(false|no|off|0)$/i.test(raw)) return false;
    problems.push(`"${spec.name}" must be true or false, not "${raw}"`);
    return undefined;
  }
  if (spec.type === 'number') {
    const number = Number(raw);
    if (raw.trim() === '' || Number.isNaN(number)) {
      problems.push(`"${spec.name}" must be a number, not "${raw}"`);
      return undefined;
    }
    return number;
  }
  return raw;
}

function fromAnswer(spec: VariableSpec, raw: unknown, problems: string[]): VariableValue | undefined {
  if (typeof raw === 'string') return spec.type === 'string' ? raw : fromText(spec, raw, problems);
  if (typeof raw === 'number' || typeof raw === 'boolean') {
    // YAML reads `python_version: 3.12` as a number; a string variable wants the text.
    return spec.type === 'string' ? String(raw) : raw;
  }
  problems.push(`"${spec.name}" must be a single value, not ${Array.isArray(raw) ? 'a list' : 'a mapping'}`);
  return undefined;
}

function checkValue(spec: VariableSpec, value: VariableValue): string | undefined {
  if (spec.type !== typeof value) return `"${spec.name}" must be a ${spec.type}`;
  if (spec.choices && !spec.choices.some((choice) => String(choice) === String(value))) {
    return `"${spec.name}" is "${String(value)}" but must be one of: ${spec.choices.map(String).join(', ')}`;
  }
  if (spec.pattern && typeof value === 'string' && !spec.pattern.test(value)) {
    return `"${spec.name}" is "${value}" but must match ${spec.pattern.source.slice(4, -2)}`;
  }
  return undefined;
}
