import { describe, expect, it } from 'vitest';
import { renderSnapshot } from '../../../src/engine/render-snapshot.js';
import { fixture, FIXTURE_COMMITTED_AT, FIXTURE_REPO, shown } from './fixture-files.js';

// The expected files are cookiecutter's own output (test/fixtures/cookiecutter/regenerate.py;
// Debian's cookiecutter 1.7.3 brought to 2.x where they differ, as that script says).
describe('a cookiecutter template renders as cookiecutter renders it', () => {
  it('gives cookiecutter 2.x output byte for byte: every rule of the service fixture', async () => {
    const { template, expected } = await fixture('service');
    const snapshot = renderSnapshot({ files: template, ref: 'v1', repo: FIXTURE_REPO, committedAt: FIXTURE_COMMITTED_AT });
    expect(snapshot.dialect).toBe('cookiecutter');
    // NOTES.txt is cookiecutter's output too, left out by _template_drift's exclude.
    expect(expected.has('NOTES.txt')).toBe(true);
    expected.delete('NOTES.txt');
    expect(shown(snapshot.output)).toEqual(shown(expected));
  });
});

describe('Python in a cookiecutter template renders as cookiecutter renders it', () => {
  it('gives cookiecutter\'s output for str.format, the % operator, the format filter, str and dict methods, in defaults and files', async () => {
    const { template, expected } = await fixture('python');
    const snapshot = renderSnapshot({ files: template, ref: 'v1', repo: FIXTURE_REPO, committedAt: FIXTURE_COMMITTED_AT });
    expect(shown(snapshot.output)).toEqual(shown(expected));
    expect(snapshot.variables.values).toMatchObject({
      package: 'billing_service', image: 'registry.acme.dev/billing-service:1.0', major: '2', service_id: 'svc-billing-080',
      banner: 'billing_service|  v2.5.0', class_name: 'BillingService', env_prefix: 'BILLING_SERVICE',
    });
  });
});

describe('cookiecutter variables', () => {
  const render = async (extra: Partial<Parameters<typeof renderSnapshot>[0]> = {}) => {
    const { template } = await fixture('service');
    return renderSnapshot({ files: template, ref: 'v1', repo: FIXTURE_REPO, committedAt: FIXTURE_COMMITTED_AT, ...extra });
  };

  it('renders defaults in order with Python string methods, keeps booleans, renders __ variables and keeps _ ones raw', async () => {
    const { variables } = await render();
    expect(variables.values).toMatchObject({
      project_slug: 'my_fancy_project', module_name: 'MyFancyProject', license: 'MIT', python_version: '3.12',
      use_docker: true, use_celery: false, __env_prefix: 'MY_FANCY_PROJECT',
      database: { engine: 'postgres', name: 'my_fancy_project_db', port: '5432' },
      _private_note: '{{ this is never rendered }}',
    });
    expect(variables.defaulted).toEqual(['project_name', 'project_slug', 'module_name', 'author', 'license', 'python_version', 'use_docker', 'use_celery', 'database']);
  });

  it('takes answers as cookiecutter takes extra context: a choice among its items, yes/no for a boolean, a dict merged', async () => {
    const { variables, output } = await render({
      answers: { project_name: 'Billing API', license: 'Apache-2.0', use_docker: 'no', database: { port: 6432 }, _private_note: 'ignored', unknown: 1 },
    });
    expect(variables.values).toMatchObject({ project_slug: 'billing_api', license: 'Apache-2.0', use_docker: false, _private_note: '{{ this is never rendered }}' });
    expect(variables.values.database).toEqual({ engine: 'postgres', name: 'billing_api_db', port: '6432' });
    expect(output.has('Dockerfile')).toBe(false);
    expect(output.get('billing_api/settings.py')?.content.toString()).toContain('"PORT": 6432');
    expect(variables.defaulted).not.toContain('license');
  });

  it('refuses a choice outside its items, a boolean that is not yes or no and an unknown --var, all at once', async () => {
    await expect(render({ answers: { license: 'GPL' }, overrides: { use_docker: 'maybe', nope: 'x' } })).rejects.toThrow(
      /--var names "nope".*; "license" is "GPL" but must be one of: MIT, BSD-3-Clause, Apache-2.0; "use_docker" must be yes or no/s);
  });

  it('reads --var as text, as cookiecutter reads extra context, and a dict as JSON', async () => {
    const { variables } = await render({ overrides: { use_celery: 'yes', database: '{"engine": "mysql"}', author: 'Grace' } });
    expect(variables.values).toMatchObject({ use_celery: true, author: 'Grace', database: { engine: 'mysql', name: 'my_fancy_project_db' } });
  });
});

describe('deterministic default extensions', () => {
  const readme = (snapshot: ReturnType<typeof renderSnapshot>) => snapshot.output.get('README.md')!.content.toString();

  it('renders a version again to the same bytes, draws other values for another repository, and dates by the commit', async () => {
    const { template } = await fixture('service');
    const input = { files: template, ref: 'v1', repo: FIXTURE_REPO, committedAt: FIXTURE_COMMITTED_AT };
    expect(readme(renderSnapshot(input))).toBe(readme(renderSnapshot(input)));
    const other = readme(renderSnapshot({ ...input, repo: { owner: 'acme', name: 'orders' } }));
    const secret = /Secret: (\S+)/;
    expect(other.match(secret)?.[1]).not.toBe(readme(renderSnapshot(input)).match(secret)?.[1]);
    expect(readme(renderSnapshot({ ...input, committedAt: new Date('2031-01-02T00:00:00Z') }))).toContain('Year of this template version: 2031; date 2031-01-02.');
  });
});
