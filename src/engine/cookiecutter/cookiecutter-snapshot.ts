import type { FileEntry } from '../file-map.js';
import { policyMatcherWith, type PolicyOf } from '../file-rules.js';
import { RenderBudget } from '../render-budget.js';
import type { RenderedSnapshot, SnapshotInput } from '../render-snapshot.js';
import type { ResolvedVariables } from '../resolve-variables.js';
import type { FileRules, TemplateManifest } from '../template-manifest.js';
import { COOKIECUTTER_FILE, parseCookiecutterTemplate } from './cookiecutter-template.js';
import { resolveCookiecutterVariables } from './cookiecutter-variables.js';
import { CookiecutterJinja } from './jinja-env.js';
import { renderCookiecutter, renderHooks, type RenderedHook } from './render-cookiecutter.js';

/**
 * A cookiecutter version rendered, as plain data (no functions), so that it can come from a
 * process of its own: the file policies are the globs as they rendered, matched again where the
 * snapshot is used.
 */
export interface CookiecutterRender {
  readonly manifest: TemplateManifest;
  readonly variables: ResolvedVariables;
  readonly output: Map<string, FileEntry>;
  readonly hooks: readonly RenderedHook[];
  /** `_template_drift`'s globs as rendered with the variables (those the policies use). */
  readonly renderedRules: FileRules;
  /** The repository's `ignore` globs. */
  readonly ignore: readonly string[];
}

/**
 * A cookiecutter template at one commit, rendered for one repository, as cookiecutter 2.x
 * renders it with `--no-input`: variables from cookiecutter.json (answers replacing defaults),
 * the top folder's files, the hooks' rendered scripts (run by an adapter, never here), and the
 * file policies of `_template_drift`. One budget covers the whole version, as for Handlebars.
 */
export function renderCookiecutterVersion(input: SnapshotInput): CookiecutterRender {
  const budget = new RenderBudget(input.limits);
  const template = parseCookiecutterTemplate(input.files, input.ref);
  const seed = { repository: `${input.repo.owner}/${input.repo.name}`, committedAt: input.committedAt ?? new Date(0) };
  const jinja = new CookiecutterJinja(seed, template.jinja, budget);
  try {
    const variables = resolveCookiecutterVariables(template.context, {
      ...(input.answers && { answers: input.answers }),
      ...(input.overrides && { overrides: input.overrides }),
    }, jinja);
    const context = { cookiecutter: { ...variables.values, ...(input.templateSource !== undefined && { _template: input.templateSource }) } };
    const ignore = input.ignore ?? [];
    const renderedRules: Record<keyof FileRules, string[]> = { exclude: [], scaffold: [], enforce: [], merge: [] };
    const policyOf = policyMatcherWith(template.files, ignore, (glob, list) => {
      const rendered = jinja.render(glob, context, `${COOKIECUTTER_FILE} _template_drift.${list} glob "${glob}"`, `glob:${glob}`);
      renderedRules[list as keyof FileRules].push(rendered);
      return rendered;
    });
    const output = renderCookiecutter({ files: input.files, template, context, jinja, policyOf, budget });
    const manifest = { name: input.templateName ?? 'cookiecutter template', root: template.topFolder, variables: [], files: template.files };
    return { manifest, variables, output, hooks: renderHooks(input.files, context, jinja), renderedRules, ignore };
  } finally {
    jinja.close();
  }
}

/** The snapshot of a rendered cookiecutter version, wherever it was rendered. */
export function cookiecutterSnapshot(render: CookiecutterRender): RenderedSnapshot {
  // The globs are rendered already: matching them again gives the policies the render used.
  const policyOf: PolicyOf = policyMatcherWith(render.renderedRules, render.ignore, (glob) => glob);
  return { dialect: 'cookiecutter', manifest: render.manifest, variables: render.variables, output: render.output, policyOf, hooks: render.hooks };
}
