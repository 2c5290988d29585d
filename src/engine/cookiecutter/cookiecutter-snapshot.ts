import { policyMatcherWith } from '../file-rules.js';
import { RenderBudget } from '../render-budget.js';
import type { RenderedSnapshot, SnapshotInput } from '../render-snapshot.js';
import { COOKIECUTTER_FILE, parseCookiecutterTemplate } from './cookiecutter-template.js';
import { resolveCookiecutterVariables } from './cookiecutter-variables.js';
import { CookiecutterJinja } from './jinja-env.js';
import { renderCookiecutter, renderHooks } from './render-cookiecutter.js';

/**
 * A cookiecutter template at one commit, rendered for one repository, as cookiecutter 2.x
 * renders it with `--no-input`: variables from cookiecutter.json (answers replacing defaults),
 * the top folder's files, the hooks' rendered scripts (run by an adapter, never here), and the
 * file policies of `_template_drift`. One budget covers the whole version, as for Handlebars.
 */
export function renderCookiecutterSnapshot(input: SnapshotInput): RenderedSnapshot {
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
    const policyOf = policyMatcherWith(template.files, input.ignore ?? [], (glob, list) =>
      jinja.render(glob, context, `${COOKIECUTTER_FILE} _template_drift.${list} glob "${glob}"`, `glob:${glob}`));
    const output = renderCookiecutter({ files: input.files, template, context, jinja, policyOf, budget });
    const manifest = { name: input.templateName ?? 'cookiecutter template', root: template.topFolder, variables: [], files: template.files };
    return { dialect: 'cookiecutter', manifest, variables, output, policyOf, hooks: renderHooks(input.files, context, jinja) };
  } finally {
    jinja.close();
  }
}
