import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { TestRepo } from '../support/temp-repo.js';
import { suiteTempDir } from '../git/suite-repo.js';
import { fixture, fixtureTree, readFolder, shown } from '../engine/cookiecutter/fixture-files.js';
import { cli, cliContext, read, sharedCache } from './cli-fixtures.js';

describe('cookiecutter templates in the CLI', () => {
  let template: TestRepo;
  let cache: string;
  beforeAll(async () => {
    cache = await sharedCache();
    template = await TestRepo.create(await fixtureTree('service'), 'td-cc-template-', suiteTempDir);
  });

  it('renders what cookiecutter renders, following the default branch when the template has no release tags', async () => {
    const context = await cliContext(cache);
    const run = await cli(context, 'render', '--template', template.dir, '--out', 'out');
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Rendered 10 files from td-cc-template-\w+ main into /);
    const { expected } = await fixture('service');
    const rendered = await readFolder(join(context.cwd, 'out'));
    // README.md draws random values for the repository rendered for (here the folder `out`).
    for (const files of [rendered, expected]) ['README.md', 'NOTES.txt'].forEach((path) => files.delete(path));
    expect(shown(rendered)).toEqual(shown(expected));
  });

  it('init records the public answers, not the private _ variables', async () => {
    const context = await cliContext(cache);
    const run = await cli(context, 'init', 'svc', '--template', template.dir, '--var', 'project_name=Billing API', '--var', 'use_docker=no');
    expect(run.stderr).toBe('');
    const answers = parseAnswers(await read(join(context.cwd, 'svc'), '.github/template-drift.yml'));
    expect(answers.version).toBe('main');
    expect(answers.variables).toEqual({
      project_name: 'Billing API', project_slug: 'billing_api', module_name: 'BillingApi', author: 'Ada Lovelace', license: 'MIT',
      python_version: '3.12', use_docker: false, use_celery: false, database: { engine: 'postgres', name: 'billing_api_db', port: '5432' },
    });
    expect(await read(join(context.cwd, 'svc'), 'billing_api/settings.py')).toContain('"NAME": "billing_api_db"');
  });
});
