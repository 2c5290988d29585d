import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { git, writeTree } from '../support/temp-repo.js';
import { suiteTempDir } from '../git/suite-repo.js';
import { cli, commitAll, expectCleanFailure, read, sharedCache, treeState, type CliContext } from './cli-fixtures.js';
import { createServiceTemplate, type ServiceTemplate } from './service-template.js';

const ANSWERS = '.github/template-drift.yml';

let template: ServiceTemplate;
let context: CliContext;

beforeAll(async () => {
  template = await createServiceTemplate();
  context = { cwd: await suiteTempDir('td-cli-work-'), cacheDir: await sharedCache() };
});

/** One git repository, two services made from the template at v1.0.0 in subfolders of it. */
async function monorepo(name: string): Promise<string> {
  const root = join(context.cwd, name);
  await writeTree(root, { 'README.md': 'the platform\n' });
  await git(root, 'init', '--quiet', '--initial-branch=main');
  for (const service of ['pay', 'orders']) {
    const run = await cli({ ...context, cwd: root }, 'init', `services/${service}`, '--template', template.repo.dir, '--ref', 'v1.0.0', '--var', `service_name=${service}`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }
  await commitAll(root, 'two services');
  return root;
}

async function statusPaths(root: string): Promise<string[]> {
  return (await git(root, 'status', '--porcelain', '--untracked-files=all')).split('\n').filter(Boolean).map((line) => line.slice(3)).sort();
}

describe('services in subfolders of one repository', () => {
  it('are updated one at a time: each update writes only its own folder', async () => {
    const root = await monorepo('mono-separate');
    const ordersBefore = await treeState(join(root, 'services/orders'));
    const run = await cli(context, 'update', join(root, 'services/pay'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(await read(root, 'services/pay/untouched.txt')).toBe('same v2\n');
    expect(await read(root, 'services/pay/pay/new_module.py')).toBe('NEW = True\n');
    expect(parseAnswers(await read(root, `services/pay/${ANSWERS}`)).version).toBe('v2.0.0');
    expect((await statusPaths(root)).every((path) => path.startsWith('services/pay/'))).toBe(true);
    expect(await treeState(join(root, 'services/orders'))).toEqual(ordersBefore);
    expect(await read(root, 'README.md')).toBe('the platform\n');
    expect(await read(root, 'services/orders/untouched.txt')).toBe('same\n');

    await commitAll(root, 'update pay');
    expect((await cli(context, 'check', join(root, 'services/pay'))).code).toBe(0);
    expect((await cli(context, 'check', join(root, 'services/orders'))).code).toBe(1);
    expect((await cli(context, 'update', join(root, 'services/orders'))).code).toBe(0);
    expect(await read(root, 'services/orders/orders/new_module.py')).toBe('NEW = True\n');
    expect((await statusPaths(root)).every((path) => path.startsWith('services/orders/'))).toBe(true);
  });

  it('are not blocked by uncommitted work in a sibling service or at the top', async () => {
    const root = await monorepo('mono-dirty-sibling');
    await writeTree(root, { 'services/orders/notes.txt': 'work in progress\n', 'services/orders/scratch.txt': 'untracked\n', 'TODO.md': 'x\n' });
    const run = await cli(context, 'update', join(root, 'services/pay'));
    expect(run.code).toBe(0);
    expect(await read(root, 'services/orders/notes.txt')).toBe('work in progress\n');
    expect(await read(root, 'services/pay/notes.txt')).toBe('A\nb\nc\nd\ne\n');
  });

  it('are blocked by uncommitted work in their own folder, named relative to it', async () => {
    const root = await monorepo('mono-dirty-own');
    await writeTree(root, { 'services/pay/notes.txt': 'work in progress\n' });
    const before = await treeState(root);
    expectCleanFailure(await cli(context, 'update', join(root, 'services/pay')), /uncommitted changes \(notes\.txt\); commit or stash them first/);
    expect(await treeState(root)).toEqual(before);
  });
});

describe('a command run from inside a service', () => {
  it('finds the nearest answers file upward: check, diff and update from service/src', async () => {
    const root = await monorepo('mono-from-inside');
    await writeTree(root, { 'services/pay/src/main.py': 'print(1)\n' });
    await commitAll(root, 'code');
    const inside = { ...context, cwd: join(root, 'services/pay/src') };

    const check = await cli(inside, 'check', '--json');
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout)).toMatchObject({ from: 'v1.0.0', to: 'v2.0.0' });
    expect((await cli(inside, 'diff')).stdout).toContain('diff --git a/services/pay/untouched.txt b/services/pay/untouched.txt');
    expect((await cli(context, 'check', join(root, 'services/pay/.github'))).code).toBe(1);

    const update = await cli(inside, 'update');
    expect(update.code).toBe(0);
    expect(await read(root, 'services/pay/untouched.txt')).toBe('same v2\n');
    expect(await statusPaths(root)).not.toContain('services/pay/src/.github/template-drift.yml');
    expect((await statusPaths(root)).every((path) => path.startsWith('services/pay/') && !path.startsWith('services/pay/src/'))).toBe(true);
  });

  it('outside any service names the folder, and never looks above its repository', async () => {
    const root = await monorepo('mono-outside');
    expectCleanFailure(await cli({ ...context, cwd: join(root, 'services') }, 'check'), /services has no \.github\/template-drift\.yml, and neither has any folder above it/);
  });
});
