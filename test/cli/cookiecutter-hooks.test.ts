import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, fixtureTree, readFolder, shown } from '../engine/cookiecutter/fixture-files.js';
import { suiteTempDir } from '../git/suite-repo.js';
import { runTemplateDrift } from '../support/run-cli.js';
import { TestRepo } from '../support/temp-repo.js';
import { cli, cliContext, commitAll, expectCleanFailure, initService, read, sharedCache, treeState } from './cli-fixtures.js';

describe('cookiecutter hooks in the CLI', () => {
  let template: TestRepo;
  let cache: string;
  beforeAll(async () => {
    cache = await sharedCache();
    template = await TestRepo.create(await fixtureTree('hooks'), 'td-hooks-template-', suiteTempDir);
  });

  it('runs the hooks only with --trust: without it, exit 2 naming the hooks and the flag, and nothing written', async () => {
    const context = await cliContext(cache);
    const before = await treeState(context.cwd);
    const run = await cli(context, 'render', '--template', template.dir, '--out', 'out');
    expectCleanFailure(run, /hooks \(hooks\/post_gen_project\.py, hooks\/pre_gen_project\.py\).*Pass --trust \(or set TEMPLATE_DRIFT_TRUST_HOOKS=1\)/);
    expect(await treeState(context.cwd)).toEqual(before);
  });

  it('with --trust gives what cookiecutter gives: files the post hook deleted are gone, what it wrote is there', async () => {
    const context = await cliContext(cache);
    const run = await cli(context, 'render', '--template', template.dir, '--out', 'out', '--trust');
    expect(run.stderr).toBe('');
    const { expected } = await fixture('hooks');
    expect(shown(await readFolder(join(context.cwd, 'out')))).toEqual(shown(expected));
  });

  it('TEMPLATE_DRIFT_TRUST_HOOKS=1 trusts them as --trust does', async () => {
    const context = await cliContext(cache);
    expect((await runTemplateDrift(['render', '--template', template.dir, '--out', 'out'], { ...context, trustHooks: true })).code).toBe(0);
  });

  it('a pre hook that exits non-zero aborts with its message', async () => {
    const context = await cliContext(cache);
    const run = await cli(context, 'render', '--template', template.dir, '--out', 'out', '--trust', '--var', 'project_name=9 Lives');
    expectCleanFailure(run, /hook hooks\/pre_gen_project\.py failed \(exit 1\).*'9_lives' is not a valid Python module name/s);
  });

  it('says so when python3 is not on PATH', async () => {
    const context = await cliContext(cache);
    const run = await runTemplateDrift(['render', '--template', template.dir, '--out', 'out', '--trust'], { ...context, hookEnv: { PATH: '/nonexistent' } });
    expectCleanFailure(run, /hooks\/pre_gen_project\.py needs python3, which is not on PATH here/);
  });

  it('stops a hook at its timeout', async () => {
    const slow = await TestRepo.create({ ...(await fixtureTree('hooks')), 'hooks/pre_gen_project.py': 'import time\ntime.sleep(30)\n' }, 'td-hooks-slow-', suiteTempDir);
    const context = await cliContext(cache);
    const run = await runTemplateDrift(['render', '--template', slow.dir, '--out', 'out', '--trust'], { ...context, hookTimeoutSeconds: 0.5 });
    expectCleanFailure(run, /ran longer than 0.5 s \(TEMPLATE_DRIFT_HOOK_TIMEOUT_S\)/);
  });

  it('gives a hook no secret of the environment it runs in', async () => {
    const leaky = await TestRepo.create({
      ...(await fixtureTree('hooks')),
      'hooks/post_gen_project.py': 'import os\nopen("ENV.txt", "w").write("\\n".join(sorted(os.environ)) + "\\n" + os.getcwd())\n',
    }, 'td-hooks-env-', suiteTempDir);
    const context = await cliContext(cache);
    const env = { PATH: process.env.PATH, GITHUB_TOKEN: 'ghs_secret', AWS_SECRET_ACCESS_KEY: 'x', PRIVATE_KEY: 'y' };
    expect((await runTemplateDrift(['render', '--template', leaky.dir, '--out', 'out', '--trust'], { ...context, hookEnv: env })).code).toBe(0);
    const lines = (await readFile(join(context.cwd, 'out', 'ENV.txt'), 'utf8')).split('\n');
    const cwd = lines.pop();
    expect(lines).not.toEqual(expect.arrayContaining(['GITHUB_TOKEN']));
    expect(lines.filter((name) => /TOKEN|SECRET|KEY/.test(name))).toEqual([]);
    expect(lines).toEqual(expect.arrayContaining(['HOME', 'PATH', 'TMPDIR']));
    // Its working place is a temporary folder of its own, not the output folder or the repository.
    expect(cwd).toMatch(/td-hooks-\w+\/project$/);
  });

  it('runs them on both renders of an update (base and target): what they delete is never added, and what they write merges', async () => {
    const context = await cliContext(cache);
    const versions = await TestRepo.create({}, 'td-hooks-versions-', suiteTempDir);
    const tree = await fixtureTree('hooks');
    await versions.release('v1.0.0', tree);
    const service = await initService(context, versions.dir, 'orders', '--trust');
    await writeFile(join(service, 'GENERATED.txt'), `# kept here\n${await read(service, 'GENERATED.txt')}`);
    await commitAll(service, 'local edit');
    const hook = (tree['hooks/post_gen_project.py'] as { content: Buffer }).content.toString();
    await versions.release('v2.0.0', {
      'hooks/post_gen_project.py': hook.replace("post_gen_project hook\\n", "post_gen_project hook\\nversion 2\\n"),
      '{{cookiecutter.project_slug}}/celery/app.py': 'app = "celery, changed"\n',
    });
    const before = await treeState(service);

    expectCleanFailure(await cli(context, 'update', service), /Pass --trust \(or set TEMPLATE_DRIFT_TRUST_HOOKS=1\)/);
    expect(await treeState(service)).toEqual(before);

    const run = await cli(context, 'update', service, '--trust');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(await read(service, 'GENERATED.txt')).toBe("# kept here\nmade by orders_service's post_gen_project hook\nversion 2\n");
    const changed = Object.keys(await treeState(service)).filter((path) => before[path] === undefined);
    expect(changed).toEqual([]);
    expect(Object.keys(before).some((path) => path.startsWith('celery/'))).toBe(false);
  });
});

