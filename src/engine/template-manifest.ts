import { parseYamlWith } from './parse-yaml.js';
import { rolloutSchema, toRollout, type Rollout } from './rollout.js';
import * as z from './schema.js';
import { UserError } from './user-error.js';

export const MANIFEST_FILE = 'template.yml';

export type VariableValue = string | number | boolean;

/** A resolved answer: a Handlebars variable's value, or any JSON a cookiecutter variable holds (dicts, null). */
export type AnswerValue = VariableValue | null | readonly AnswerValue[] | { readonly [key: string]: AnswerValue };

const variableValue = z.union([z.string(), z.number(), z.boolean()]);

/** One entry under `variables:` in template.yml. */
const variableSchema = z.nullable(z.strictObject({
  /** Shown to people who fill in the answers. */
  description: z.optional(z.string()),
  /** Without a default the variable is required. A string default is itself a Handlebars template. */
  default: z.optional(variableValue),
  /** A regular expression a string value must match in full. */
  pattern: z.optional(z.string()),
  /** The only values allowed. */
  choices: z.optional(z.array(variableValue).check(z.minLength(1))),
  /** Inferred from the default when absent; decides how `--var k=v` text is read. */
  type: z.optional(z.enum(['string', 'number', 'boolean'])),
}));

const globList = z._default(z.array(z.string().check(z.minLength(1))), []);

/** template.yml at the root of a template repository. */
const manifestSchema = z.strictObject({
  name: z.string().check(z.minLength(1)),
  /** Folder holding the files to render, relative to the template repository root. */
  root: z._default(z.string(), '.'),
  variables: z._default(z.record(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name is letters, digits and _')), variableSchema), {}),
  files: z._default(z.strictObject({
    /** Never rendered. */
    exclude: globList,
    /** Created once, never updated afterwards. */
    scaffold: globList,
    /** Always exactly as rendered: local edits are brought back in line. */
    enforce: globList,
    /** Template changes are merged, local edits kept. A path matching no list is merged too. */
    merge: globList,
  }), { exclude: [], scaffold: [], enforce: [], merge: [] }),
  /** The app's canary waves for each release (src/engine/rollout.ts). */
  rollout: z.optional(rolloutSchema),
});

export interface VariableSpec {
  readonly name: string;
  readonly description?: string;
  readonly default?: VariableValue;
  readonly pattern?: RegExp;
  readonly choices?: readonly VariableValue[];
  readonly type: 'string' | 'number' | 'boolean';
}

export interface FileRules {
  readonly exclude: readonly string[];
  readonly scaffold: readonly string[];
  readonly enforce: readonly string[];
  readonly merge: readonly string[];
}

export interface TemplateManifest {
  readonly name: string;
  /** Normalised: '' for the repository root, otherwise 'a/b' with no trailing slash. */
  readonly root: string;
  /** In declaration order: a default may use the variables declared before it. */
  readonly variables: readonly VariableSpec[];
  readonly files: FileRules;
  /** Canary repositories first, then the rest; absent: every repository at once. */
  readonly rollout?: Rollout;
}

export function parseManifest(text: string): TemplateManifest {
  const raw = parseYamlWith(text, manifestSchema, MANIFEST_FILE);
  const variables = Object.entries(raw.variables).map(([name, spec]) => toVariableSpec(name, spec ?? {}));
  return { name: raw.name, root: normaliseRoot(raw.root), variables, files: raw.files, ...(raw.rollout && { rollout: toRollout(raw.rollout) }) };
}

function toVariableSpec(name: string, spec: NonNullable<z.infer<typeof variableSchema>>): VariableSpec {
  let pattern: RegExp | undefined;
  if (spec.pattern !== undefined) {
    try {
      pattern = new RegExp(`^(?:${spec.pattern})$`, 'u');
    } catch (error) {
      throw new UserError(`${MANIFEST_FILE}: variable "${name}" has an invalid pattern: ${(error as Error).message}`);
    }
  }
  const type = spec.type ?? inferType(spec.default);
  return {
    name,
    type,
    ...(spec.description !== undefined && { description: spec.description }),
    ...(spec.default !== undefined && { default: spec.default }),
    ...(pattern && { pattern }),
    ...(spec.choices && { choices: spec.choices }),
  };
}

function inferType(value: VariableValue | undefined): VariableSpec['type'] {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  return 'string';
}

function normaliseRoot(root: string): string {
  const parts = root.split('/').filter((part) => part !== '' && part !== '.');
  if (root.startsWith('/') || parts.some((part) => part === '..' || part === '.git')) {
    throw new UserError(`${MANIFEST_FILE}: root "${root}" must be a folder inside the template repository`);
  }
  return parts.join('/');
}
