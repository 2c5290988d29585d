import type { FileMap } from '../file-map.js';
import * as z from '../schema.js';
import type { FileRules } from '../template-manifest.js';
import { UserError } from '../user-error.js';
import type { JinjaOptions } from './jinja-env.js';

export const COOKIECUTTER_FILE = 'cookiecutter.json';

/**
 * Extensions cookiecutter 2.x loads by default, under the names templates list them in
 * `_extensions` (listing a default again is harmless). Anything else would run Python code
 * that is not there: a clear error instead of output that differs from cookiecutter's.
 */
const DEFAULT_EXTENSIONS = new Set([
  'cookiecutter.extensions.JsonifyExtension', 'cookiecutter.extensions.RandomStringExtension',
  'cookiecutter.extensions.SlugifyExtension', 'cookiecutter.extensions.TimeExtension',
  'cookiecutter.extensions.UUIDExtension', 'jinja2_time.TimeExtension',
  // Built into minijinja's syntax.
  'jinja2.ext.loopcontrols', 'jinja2.ext.do',
]);

const globList = z._default(z.array(z.string().check(z.minLength(1))), []);

/** `_template_drift` in cookiecutter.json: file policies, which cookiecutter itself ignores (a `_` key). */
const policiesSchema = z._default(z.strictObject({ exclude: globList, scaffold: globList, enforce: globList, merge: globList }),
  { exclude: [], scaffold: [], enforce: [], merge: [] });

const jinjaOptionsSchema = z._default(
  z.strictObject({ lstrip_blocks: z.optional(z.boolean()), trim_blocks: z.optional(z.boolean()), keep_trailing_newline: z.optional(z.boolean()) }),
  {},
);

export interface CookiecutterTemplate {
  /** cookiecutter.json as written: key order is the order variables are rendered in. */
  readonly context: Readonly<Record<string, unknown>>;
  /** The folder whose name holds `{{cookiecutter.…}}`: its content is the output root. */
  readonly topFolder: string;
  readonly copyWithoutRender: readonly string[];
  readonly jinja: JinjaOptions;
  readonly files: FileRules;
  /** `_new_lines`: the line ending of every rendered file, instead of each file's own. */
  readonly newLines?: string;
}

/** Whether a template repository's files are a cookiecutter template. */
export function isCookiecutterTemplate(files: FileMap): boolean {
  return files.has(COOKIECUTTER_FILE);
}

export function parseCookiecutterTemplate(files: FileMap, ref: string): CookiecutterTemplate {
  const text = files.get(COOKIECUTTER_FILE)!.content.toString('utf8');
  let context: unknown;
  try {
    context = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${COOKIECUTTER_FILE} at ${ref} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new UserError(`${COOKIECUTTER_FILE} at ${ref} must hold an object of variables`);
  }
  const record = context as Record<string, unknown>;
  const extensions = optionalList(record._extensions, '_extensions');
  const unknown = extensions.filter((name) => !DEFAULT_EXTENSIONS.has(name));
  if (unknown.length > 0) {
    throw new UserError(`${COOKIECUTTER_FILE} lists Jinja extensions that template-drift does not provide: ${unknown.join(', ')}. ` +
      "It provides cookiecutter's defaults (jsonify, slugify, random_ascii_string, uuid4, {% now %}); remove the others from _extensions");
  }
  const policies = policiesSchema.safeParse(record._template_drift);
  if (!policies.success) throw new UserError(`${COOKIECUTTER_FILE}: _template_drift must be { exclude, scaffold, enforce, merge } lists of globs`);
  const jinja = jinjaOptionsSchema.safeParse(record._jinja2_env_vars);
  if (!jinja.success) {
    throw new UserError(`${COOKIECUTTER_FILE}: _jinja2_env_vars may set only lstrip_blocks, trim_blocks and keep_trailing_newline (true or false)`);
  }
  const newLines = record._new_lines;
  return {
    context: record,
    topFolder: findTopFolder(files, ref),
    copyWithoutRender: optionalList(record._copy_without_render, '_copy_without_render'),
    jinja: jinja.data,
    files: policies.data,
    ...(typeof newLines === 'string' && newLines !== '' && { newLines }),
  };
}

function optionalList(value: unknown, key: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new UserError(`${COOKIECUTTER_FILE}: ${key} must be a list of strings`);
  }
  return value as string[];
}

/** As cookiecutter finds it: the first top-level folder whose name holds `cookiecutter`, `{{` and `}}`. */
function findTopFolder(files: FileMap, ref: string): string {
  const folders = new Set<string>();
  for (const path of files.keys()) {
    const slash = path.indexOf('/');
    if (slash > 0) folders.add(path.slice(0, slash));
  }
  const top = [...folders].sort().find((name) => name.includes('cookiecutter') && name.includes('{{') && name.includes('}}'));
  if (!top) {
    throw new UserError(`The cookiecutter template at ${ref} has no top folder named with {{cookiecutter.…}} (like "{{cookiecutter.project_slug}}")`);
  }
  return top;
}
