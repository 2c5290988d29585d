import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureTree } from '../engine/cookiecutter/fixture-files.js';
import { OWNER } from '../support/e2e/fleet.js';
import { useWorld } from '../support/e2e/use-world.js';
import { git } from '../support/git-tree.js';
import { runTemplateDrift } from '../support/run-cli.js';
import { tempDir } from '../support/temp-repo.js';

const ISSUE_TITLE = 'Template drift: action required';
const UPDATE_BRANCH = 'template-drift/update';
const world = useWorld();

/**
 * A repository as `cruft create --no-input` leaves it: the template's output at `ref` (rendered by
 * the CLI, which the fixture tests hold to cookiecutter's own output) and `.cruft.json` in cruft's
 * format, naming the template by its clone URL as cruft does.
 */
async function cruftService(name: string, template: string, ref: string, trust = false): Promise<string> {
  const w = world();
  const parent = await tempDir('td-e2e-cruft-');
  const templateUrl = w.github.cloneUrl(OWNER, template);
  const run = await runTemplateDrift(['render', '--template', templateUrl, '--ref', ref, '--out', name, '--var', 'project_name=Orders Service', ...(trust ? ['--trust'] : [])], { cwd: parent, cacheDir: join(parent, 'cache') });
  if (run.code !== 0) throw new Error(`render failed: ${run.stderr}`);
  const dir = join(parent, name);
  const commit = (await w.github.commitInfo(OWNER, template, ref)).sha;
  const state = { template: templateUrl, commit, checkout: null, context: { cookiecutter: { project_name: 'Orders Service', _template: templateUrl } }, directory: null };
  await writeFile(join(dir, '.cruft.json'), `${JSON.stringify(state, null, 2)}\n`);
  await git(dir, 'init', '--quiet', '--initial-branch=main');
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '-m', 'cruft create');
  await w.github.createRepo(OWNER, name, { from: dir });
  return templateUrl;
}

describe('cookiecutter templates and repositories that cruft manages, end to end', () => {
  it('a repository that cruft manages gets its update PR, with .cruft.json written as cruft writes it', async () => {
    const w = world();
    await w.publishTemplate('tpl-cookie', await fixtureTree('service'));
    const templateUrl = await cruftService('cruft-svc', 'tpl-cookie', 'v1.0.0');
    await w.releaseTemplate('tpl-cookie', 'v1.1.0', { '{{cookiecutter.project_slug}}/CHANGELOG.md': '# {{ cookiecutter.project_name }}\n\n1.1.0\n' }, 'a changelog');
    await w.settle();

    const [pull] = await w.github.pulls(OWNER, 'cruft-svc');
    expect(pull).toMatchObject({ state: 'open', headRef: UPDATE_BRANCH });
    expect(await w.github.readFile(OWNER, 'cruft-svc', UPDATE_BRANCH, 'CHANGELOG.md')).toBe('# Orders Service\n\n1.1.0\n');
    const written = (await w.github.readFile(OWNER, 'cruft-svc', UPDATE_BRANCH, '.cruft.json'))!;
    const state = JSON.parse(written) as { template: string; commit: string; checkout: null; directory: null; context: { cookiecutter: Record<string, unknown> } };
    expect(state).toMatchObject({ template: templateUrl, commit: (await w.github.commitInfo(OWNER, 'tpl-cookie', 'v1.1.0')).sha, checkout: null, directory: null });
    expect(state.context.cookiecutter).toMatchObject({ project_name: 'Orders Service', project_slug: 'orders_service', _template: templateUrl });
    expect(Object.keys(state.context.cookiecutter).at(-1)).toBe('_template');
    expect(written).toBe(`${JSON.stringify(state, null, 2)}\n`);
    expect(await w.github.readFile(OWNER, 'cruft-svc', UPDATE_BRANCH, '.github/template-drift.yml')).toBeUndefined();
  });

  it('a push that removes .cruft.json closes the open update PR, naming .cruft.json as the file removed', async () => {
    const w = world();
    await w.publishTemplate('tpl-cookie-rm', await fixtureTree('service'));
    await cruftService('cruft-rm', 'tpl-cookie-rm', 'v1.0.0');
    await w.releaseTemplate('tpl-cookie-rm', 'v1.1.0', { '{{cookiecutter.project_slug}}/CHANGELOG.md': '# {{ cookiecutter.project_name }}\n\n1.1.0\n' }, 'a changelog');
    await w.settle();
    const [pull] = await w.github.pulls(OWNER, 'cruft-rm');
    expect(pull).toMatchObject({ state: 'open', headRef: UPDATE_BRANCH });

    await w.github.commit(OWNER, 'cruft-rm', 'main', { '.cruft.json': null }, { message: 'Stop following the template', deliver: true });
    await w.settle();

    expect((await w.github.pulls(OWNER, 'cruft-rm')).map((candidate) => candidate.state)).toEqual(['closed']);
    const closing = w.github.comments(OWNER, 'cruft-rm', pull!.number).filter((comment) => comment.user === w.github.botLogin).at(-1);
    expect(closing?.body).toContain('`.cruft.json` was removed from the default branch, so this repository no longer follows its template; closing.');
  });

  it('a template with hooks: the action-required issue while the operator has not trusted hooks, a PR once TEMPLATE_DRIFT_TRUST_HOOKS=true', async () => {
    const w = world();
    await w.publishTemplate('tpl-hooks', await fixtureTree('hooks'));
    await cruftService('hooks-svc', 'tpl-hooks', 'v1.0.0', true);
    await w.releaseTemplate('tpl-hooks', 'v1.1.0', { '{{cookiecutter.project_slug}}/README.md': '# {{ cookiecutter.project_name }}\n\nNow with a README.\n' }, 'readme');
    await w.settle();

    const [issue] = w.github.issues(OWNER, 'hooks-svc').filter((candidate) => candidate.title === ISSUE_TITLE);
    expect(issue?.state).toBe('open');
    expect(issue?.body).toContain('The template runs hooks (hooks/post_gen_project.py, hooks/pre_gen_project.py)');
    expect(issue?.body).toContain('TEMPLATE_DRIFT_TRUST_HOOKS=true');
    expect(await w.github.pulls(OWNER, 'hooks-svc')).toEqual([]);

    await w.restartApp({ TEMPLATE_DRIFT_TRUST_HOOKS: 'true', TEMPLATE_DRIFT_HOOK_TIMEOUT_S: '20' });
    await w.releaseTemplate('tpl-hooks', 'v1.2.0', { '{{cookiecutter.project_slug}}/docker/web.Dockerfile': 'FROM python:3.13-slim\nCMD ["gunicorn", "{{ cookiecutter.project_slug }}.wsgi"]\n' }, 'python 3.13');
    await w.settle();

    const [pull] = await w.github.pulls(OWNER, 'hooks-svc');
    expect(pull).toMatchObject({ state: 'open', headRef: UPDATE_BRANCH });
    expect(await w.github.readFile(OWNER, 'hooks-svc', UPDATE_BRANCH, 'README.md')).toBe('# Orders Service\n\nNow with a README.\n');
    expect(await w.github.readFile(OWNER, 'hooks-svc', UPDATE_BRANCH, 'docker/web.Dockerfile')).toContain('python:3.13-slim');
    // What the post hook deletes for the options not chosen is never added by the update.
    expect(await w.github.readFile(OWNER, 'hooks-svc', UPDATE_BRANCH, 'celery/app.py')).toBeUndefined();
    expect(await w.github.readFile(OWNER, 'hooks-svc', UPDATE_BRANCH, 'docker/worker.Dockerfile')).toBeUndefined();
    expect(w.github.issues(OWNER, 'hooks-svc').find((candidate) => candidate.title === ISSUE_TITLE)?.state).toBe('closed');
  });

  it("a release whose file says 'x' * 2000000000 is a template error in the issue, while the app answers /ping, stays under 1 GB and updates the next release", async () => {
    const w = world();
    await w.publishTemplate('tpl-cc-bomb', await fixtureTree('service'));
    await cruftService('cc-bomb-svc', 'tpl-cc-bomb', 'v1.0.0');
    await w.releaseTemplate('tpl-cc-bomb', 'v1.1.0', { '{{cookiecutter.project_slug}}/bomb.txt': "{{ 'x' * 2000000000 }}\n" }, 'four gigabytes');
    // Rendered in the app's process, that text would hold its event loop for seconds and its resident set at 4 GB.
    const pings = await w.app.pingsDuring(() => w.settle());

    const [issue] = w.github.issues(OWNER, 'cc-bomb-svc').filter((candidate) => candidate.title === ISSUE_TITLE);
    expect(issue?.body).toContain('{{cookiecutter.project_slug}}/bomb.txt: rendering used more than 856 MB of memory, the render limit (it grows with TEMPLATE_DRIFT_MAX_RENDER_MB)');
    expect(await w.github.pulls(OWNER, 'cc-bomb-svc')).toEqual([]);
    expect(pings.length).toBeGreaterThan(0);
    expect(new Set(pings)).toEqual(new Set([200]));
    expect(await w.app.peakMemory()).toBeLessThan(1024 ** 3);

    await w.releaseTemplate('tpl-cc-bomb', 'v1.2.0', { '{{cookiecutter.project_slug}}/bomb.txt': null, '{{cookiecutter.project_slug}}/CHANGELOG.md': '# {{ cookiecutter.project_name }}\n\n1.2.0\n' }, 'a changelog');
    await w.settle();
    expect(await w.github.readFile(OWNER, 'cc-bomb-svc', UPDATE_BRANCH, 'CHANGELOG.md')).toBe('# Orders Service\n\n1.2.0\n');
  });
});
