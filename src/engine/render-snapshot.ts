import { isCookiecutterTemplate } from './cookiecutter/cookiecutter-template.js';
import { cookiecutterSnapshot, renderCookiecutterVersion, type CookiecutterRender } from './cookiecutter/cookiecutter-snapshot.js';
import type { RenderedHook } from './cookiecutter/render-cookiecutter.js';
import type { FileEntry, FileMap } from './file-map.js';
import type { PolicyOf } from './file-rules.js';
import { RenderBudget, type RenderLimits } from './render-budget.js';
import { policyMatcher, renderTemplate } from './render-template.js';
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

/** What a renderer is asked for: a version and a repository; the renderer holds the limits. */
export type SnapshotRequest = Omit<SnapshotInput, 'limits'>;

/**
 * Renders a template version for one repository. The app and the CLI render cookiecutter
 * templates in a process of their own (src/sandbox): minijinja's WebAssembly memory is no part
 * of V8's heap, so only a process boundary bounds it.
 */
export type SnapshotRenderer = (request: SnapshotRequest) => Promise<RenderedSnapshot>;

/** Rendering in this process with these limits (tests and tools; see `SnapshotRenderer`). */
export function inProcessRenderer(limits?: RenderLimits): SnapshotRenderer {
  // A throw in the executor rejects the promise, as an async renderer's failure does.
  return (request) => new Promise((resolve) => resolve(renderSnapshot({ ...request, ...(limits && { limits }) })));
}

/** Which dialect a template's files are written in. */
export function templateDialect(files: FileMap, ref: string): TemplateDialect {
  if (files.has(MANIFEST_FILE)) return 'handlebars';
  if (isCookiecutterTemplate(files)) return 'cookiecutter';
  throw new UserError(`The template at ${ref} has no ${MANIFEST_FILE} (nor cookiecutter.json), so it is neither a template-drift nor a cookiecutter template`);
}

/**
 * A template at one commit, rendered for one repository: manifest, variables, files, rules.
 * One budget covers the whole version (variable defaults, globs, paths and files together), so
 * a template cannot spread past the limit over many files.
 */
export function renderSnapshot(input: SnapshotInput): RenderedSnapshot {
  if (templateDialect(input.files, input.ref) === 'cookiecutter') return cookiecutterVersionSnapshot(renderCookiecutterVersion(input), input);
  const budget = new RenderBudget(input.limits);
  const manifest = parseManifest(input.files.get(MANIFEST_FILE)!.content.toString('utf8'));
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

/**
 * The snapshot of a cookiecutter version rendered here or in a render process. Without
 * `keepHooks` a template with hooks is refused: its hooks change the output (they delete files
 * for unchosen options), so rendering it without them would merge files cookiecutter never leaves.
 */
export function cookiecutterVersionSnapshot(render: CookiecutterRender, request: SnapshotRequest): RenderedSnapshot {
  const snapshot = cookiecutterSnapshot(render);
  if (request.keepHooks || snapshot.hooks.length === 0) return snapshot;
  const files = snapshot.hooks.map((hook) => hook.file).join(', ');
  throw new UserError(
    `The cookiecutter template at ${request.ref} has hooks (${files}). Hooks are the template's own code and change what it `
    + 'renders; template-drift does not run them yet, so it cannot render this template as cookiecutter does',
  );
}
