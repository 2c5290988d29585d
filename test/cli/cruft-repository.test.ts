import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { fixtureTree } from '../engine/cookiecutter/fixture-files.js';
import { suiteTempDir } from '../git/suite-repo.js';
import { git, TestRepo } from '../support/temp-repo.js';
import { cli, cliContext, commitAll, read, sharedCache, type CliContext } from './cli-fixtures.js';

const exec = promisify(execFile);

/** JSON as cruft writes `.cruft.json`: Python's own json.dumps with cruft's arguments, then a newline. */
async function cruftDumps(state: unknown): Promise<string> {
  const script = 'import json,sys; print(json.dumps(json.load(sys.stdin), ensure_ascii=False, indent=2, separators=(",", ": ")))';
  const child = exec('python3', ['-c', script]);
  child.child.stdin!.end(JSON.stringify(state));
  return (await child).stdout;
}

const V2_SETTINGS = `{%- set db = cookiecutter.database -%}
DEBUG = {{ cookiecutter.use_celery }}
DATABASES = {"default": {"ENGINE": "django.db.backends.{{ db.engine }}ql", "NAME": "{{ db.name }}", "PORT": {{ db.port }}, "CONN_MAX_AGE": 60}}
INSTALLED_APPS = [
{%- for app in ['core', cookiecutter.project_slug] %}
    "{{ app }}",
{%- endfor %}
]
LICENSES = {{ cookiecutter.database }}
SENTRY = {{ cookiecutter.use_sentry }}
`;

describe('a repository that cruft manages', () => {
  let template: TestRepo;
  let v1: string;
  let v2: string;
  let cache: string;
  let v2Json: Record<string, unknown>;
  beforeAll(async () => {
    cache = await sharedCache();
    template = await TestRepo.create({}, 'td-cruft-template-', suiteTempDir);
    const tree = await fixtureTree('service');
    v1 = await template.release('v1.0.0', tree);
    v2Json = { ...JSON.parse((tree['cookiecutter.json'] as { content: Buffer }).content.toString()) as Record<string, unknown>, use_sentry: false };
    v2 = await template.release('v2.0.0', {
      'cookiecutter.json': JSON.stringify(v2Json, null, 2),
      '{{cookiecutter.project_slug}}/{{cookiecutter.project_slug}}/settings.py': V2_SETTINGS,
    });
  });

  /** The repository as `cruft create --no-input` leaves it at v1.0.0, committed, with its .cruft.json written by Python as cruft writes it. */
  async function cruftCreated(context: CliContext): Promise<{ dir: string; context1: Record<string, unknown> }> {
    const dir = join(context.cwd, 'svc');
    expect((await cli(context, 'render', '--template', template.dir, '--ref', 'v1.0.0', '--out', 'svc')).code).toBe(0);
    const context1 = {
      project_name: 'My Fancy Project', project_slug: 'my_fancy_project', module_name: 'MyFancyProject', author: 'Ada Lovelace', license: 'MIT',
      python_version: '3.12', use_docker: true, use_celery: false, database: { engine: 'postgres', name: 'my_fancy_project_db', port: '5432' },
      __env_prefix: 'MY_FANCY_PROJECT', _private_note: '{{ this is never rendered }}', _copy_without_render: ['static', '*.html'],
      _template_drift: v2Json._template_drift, _template: template.dir,
    };
    const state = { template: template.dir, commit: v1, checkout: null, context: { cookiecutter: context1 }, directory: null };
    await writeFile(join(dir, '.cruft.json'), await cruftDumps(state));
    await git(dir, 'init', '--quiet', '--initial-branch=main');
    await commitAll(dir, 'cruft create');
    return { dir, context1 };
  }

  it('is updated to a later version: merged files are git merge-file of the two renders, and .cruft.json is what cruft writes', async () => {
    const context = await cliContext(cache);
    const { dir, context1 } = await cruftCreated(context);
    const settings = 'my_fancy_project/settings.py';
    await writeFile(join(dir, settings), `# ours: a local setting\nALLOWED_HOSTS = ["*"]\n${await read(dir, settings)}`);
    await commitAll(dir, 'local edit');

    const check = await cli(context, 'check', dir);
    expect(check.code).toBe(1);
    const diff = await cli(context, 'diff', dir);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('+++ b/.cruft.json');
    expect(diff.stdout).toContain(`+  "commit": "${v2}",`);
    const run = await cli(context, 'update', dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    // The two cookiecutter renders, for the same repository name, and git's own merge of them.
    const renders = await suiteTempDir('td-cruft-renders-');
    for (const ref of ['v1.0.0', 'v2.0.0']) {
      await mkdir(join(renders, ref));
      expect((await cli({ ...context, cwd: join(renders, ref) }, 'render', '--template', template.dir, '--ref', ref, '--out', 'svc')).code).toBe(0);
    }
    await git(dir, 'show', `HEAD:${settings}`).then((ours) => writeFile(join(renders, 'ours'), ours));
    const merged = await exec('git', ['merge-file', '-p', join(renders, 'ours'), join(renders, 'v1.0.0', 'svc', settings), join(renders, 'v2.0.0', 'svc', settings)]);
    expect(await read(dir, settings)).toBe(merged.stdout);
    expect(merged.stdout).toContain('"CONN_MAX_AGE": 60');
    expect(merged.stdout).toContain('ALLOWED_HOSTS');

    // cruft update: the new commit, the new context (new variables' defaults, _template last), the rest as it was.
    const { _template, ...before } = context1;
    const expected = {
      template: template.dir, commit: v2, checkout: null,
      context: { cookiecutter: { ...before, use_sentry: false, _template } },
      directory: null,
    };
    const written = await read(dir, '.cruft.json');
    expect(written).toBe(await cruftDumps(expected));
    expect(JSON.parse(written)).toEqual(expected);
    expect(Object.keys((JSON.parse(written) as typeof expected).context.cookiecutter).at(-1)).toBe('_template');
    expect((await cli(context, 'check', dir)).code).toBe(0);
  });

  it('adopt writes .github/template-drift.yml from .cruft.json and removes it; update then works from the answers file', async () => {
    const context = await cliContext(cache);
    const { dir } = await cruftCreated(context);
    const run = await cli(context, 'adopt', dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const answers = parseAnswers(await read(dir, '.github/template-drift.yml'));
    expect(answers).toMatchObject({ template: template.dir, commit: v1 });
    expect(answers.variables).toMatchObject({ project_slug: 'my_fancy_project', use_docker: true, database: { port: '5432' } });
    expect(Object.keys(answers.variables).some((name) => name.startsWith('_'))).toBe(false);
    await expect(read(dir, '.cruft.json')).rejects.toThrow();
    await commitAll(dir, 'adopt');
    const update = await cli(context, 'update', dir);
    expect(update.code).toBe(0);
    expect(parseAnswers(await read(dir, '.github/template-drift.yml'))).toMatchObject({ version: 'v2.0.0', commit: v2 });
    expect(await read(dir, 'my_fancy_project/settings.py')).toContain('SENTRY = False');
  });

  it('reads skip as ignore: a skipped path is left alone', async () => {
    const context = await cliContext(cache);
    const { dir } = await cruftCreated(context);
    const state = JSON.parse(await read(dir, '.cruft.json')) as Record<string, unknown>;
    await writeFile(join(dir, '.cruft.json'), await cruftDumps({ ...state, skip: ['my_fancy_project/'] }));
    await commitAll(dir, 'skip');
    expect((await cli(context, 'update', dir)).code).toBe(0);
    expect(await read(dir, 'my_fancy_project/settings.py')).not.toContain('CONN_MAX_AGE');
    expect((JSON.parse(await read(dir, '.cruft.json')) as { skip: string[] }).skip).toEqual(['my_fancy_project/']);
  });
});
