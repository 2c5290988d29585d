import { isCookiecutterTemplate } from './cookiecutter/cookiecutter-template.js';
import { renderCookiecutterSnapshot } from './cookiecutter/cookiecutter-snapshot.js';
import type { RenderedHook } from './cookiecutter/render-cookiecutter.js';
import type { FileEntry, FileMap } from './file-map.js';
import { policyMatcher, type PolicyOf } from './file-rules.js';
import { RenderBudget, type RenderLimits } from './render-budget.js';
import { renderTemplate } from './render-template.js';
import { renderContext, resolveVariables, type RepoIdentity, type ResolvedVariables } from './resolve-variables.js';
import { MANIFEST_FILE, parseManifest, type TemplateManifest } from './template-manifest.js';
import { UserError } from './user-error.js';

export interface SnapshotInput {
  /** The template repository's files at one commit. */
  readonly files: FileMap;
  /** The ref people know this commit by, for messages. */
  readonly ref: string;
  readonly answers?: Readonly<Record<string, unknown>>;
  readonly overrides?: Readonly<Record<string, string>>;
  readonly repo: RepoIdentity;
  /** The repository's `ignore` globs. */
  readonly ignore?: readonly string[];
  /** Bounds on rendering this version (output size, time, nesting); the defaults when absent. */
  readonly limits?: RenderLimits;
  /** When the template commit was made: cookiecutter's `{% now %}` is this date, not the clock. */
  readonly committedAt?: Date;
  /** The template's name (its repository's), for a dialect whose files do not name it (cookiecutter). */
  readonly templateName?: string;
  /** The template as people name it: cookiecutter's `cookiecutter._template`. */
  readonly templateSource?: string;
  /**
   * Return a cookiecutter template's hooks for a trusted adapter to run. Without it a template
   * with hooks is refused: its hooks change the output (they delete files for unchosen options),
   * so rendering it without them would merge files cookiecutter never leaves.
   */
  readonly keepHooks?: boolean;
}

/** Handlebars with template.yml (the native dialect), or cookiecutter with cookiecutter.json and Jinja. */
export type TemplateDialect = 'handlebars' | 'cookiecutter';

export interface RenderedSnapshot {
  readonly dialect: TemplateDialect;
  readonly manifest: TemplateManifest;
  readonly variables: ResolvedVariables;
  readonly output: Map<string, FileEntry>;
  readonly policyOf: PolicyOf;
  /** Hook scripts the template asks to run after rendering (cookiecutter's), rendered; run only by an adapter that trusts them. */
  readonly hooks: readonly RenderedHook[];
}

/**
 * A template at one commit, rendered for one repository: manifest, variables, files, rules.
 * One budget covers the whole version (variable defaults, globs, paths and files together), so
 * a template cannot spread past the limit over many files.
 */
export function renderSnapshot(input: SnapshotInput): RenderedSnapshot {
  const manifestFile = input.files.get(MANIFEST_FILE);
  if (!manifestFile && isCookiecutterTemplate(input.files)) return refuseUnrunHooks(renderCookiecutterSnapshot(input), input);
  if (!manifestFile) {
    throw new UserError(`The template at ${input.ref} has no ${MANIFEST_FILE} (nor cookiecutter.json), so it is neither a template-drift nor a cookiecutter template`);
  }
  const budget = new RenderBudget(input.limits);
  const manifest = parseManifest(manifestFile.content.toString('utf8'));
  const variables = resolveVariables(manifest, {
    repo: input.repo,
    budget,
    ...(input.answers && { answers: input.answers }),
    ...(input.overrides && { overrides: input.overrides }),
  });
  const context = renderContext(variables, input.repo);
  const policyOf = policyMatcher(manifest.files, context, input.ignore, budget);
  const output = renderTemplate({ files: input.files, root: manifest.root, context, policyOf, budget });
  return { dialect: 'handlebars', manifest, variables, output, policyOf, hooks: [] };
}

function refuseUnrunHooks(snapshot: RenderedSnapshot, input: SnapshotInput): RenderedSnapshot {
  if (input.keepHooks || snapshot.hooks.length === 0) return snapshot;
  const files = snapshot.hooks.map((hook) => hook.file).join(', ');
  throw new UserError(
    `The cookiecutter template at ${input.ref} has hooks (${files}). Hooks are the template's own code and change what it `
    + 'renders; template-drift does not run them yet, so it cannot render this template as cookiecutter does',
  );
}
