import { beforeAll, describe, expect, it } from 'vitest';
import { answersDigest } from '../../src/engine/answers-file.js';
import { SuiteRepo } from '../git/suite-repo.js';
import { git, writeTree } from '../support/temp-repo.js';
import { cli, cliContext, commitAll, expectCleanFailure, initService, read, sharedCache, treeState, type CliContext } from './cli-fixtures.js';

/**
 * Changed answers are changes of the template's output: the base of an update is rendered with
 * the answers recorded when its version was applied (the answers file's git history), the
 * target with today's.
 */
const ANSWERS = '.github/template-drift.yml';

const TEMPLATE = {
  'template.yml': `name: svc
variables:
  service_name: { pattern: "^[a-z][a-z0-9_]*$" }
  ci: { default: circleci, choices: [circleci, github] }
files:
  exclude: ["{{#if (eq ci 'circleci')}}.github/workflows/**{{else}}.circleci/**{{/if}}"]
  scaffold: ["{{service_name}}/__init__.py"]
  enforce: [".circleci/**", ".github/workflows/**"]
`,
  '{{service_name}}/__init__.py': '',
  '{{service_name}}/settings.py.hbs': 'SERVICE = "{{service_name}}"\nDEBUG = False\n',
  'Makefile.hbs': 'test:\n\tpytest\n\nrun:\n\tpython -m {{service_name}}\n',
  '.circleci/config.yml': 'version: 2.1\n',
  '.github/workflows/ci.yml': 'on: push\n',
};

const MAKEFILE = (name: string) => `test:\n\tpytest\n\nrun:\n\tpython -m ${name}\n`;
const SETTINGS = (name: string) => `SERVICE = "${name}"\nDEBUG = False\n`;

let templateDir: string;
let cacheDir: string;

beforeAll(async () => {
  const repo = await SuiteRepo.create('td-history-template-');
  await repo.release('v1.0.0', TEMPLATE);
  templateDir = repo.dir;
  cacheDir = await sharedCache();
});

/** A working tree as treeState shows it: every file with its mode and bytes. */
function files(tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).map(([path, text]) => [path, `644 ${Buffer.from(text).toString('base64')}`]));
}

/** The answers file as an update that applied `variables` at the same commit writes it. */
function withApplied(text: string, variables: Record<string, string>): string {
  return `${text}applied: ${answersDigest(variables)}\n`;
}

/** `payments` made at v1.0.0 with CircleCI, committed; `edits` committed on top. */
async function payments(context: CliContext, edits: Record<string, string | null> = {}): Promise<{ dir: string; answers: string }> {
  const dir = await initService(context, templateDir, 'payments', '--var', 'service_name=payments');
  const answers = await read(dir, ANSWERS);
  if (Object.keys(edits).length > 0) {
    await writeTree(dir, edits);
    await commitAll(dir, 'local edits');
  }
  return { dir, answers };
}

/** The answers file with `service_name: billing` and `ci: github`, committed as a person would. */
async function renameToBilling(dir: string, answers: string): Promise<string> {
  const renamed = answers.replace('service_name: payments', 'service_name: billing # renamed in 2026').replace('ci: circleci', 'ci: github');
  expect(renamed).not.toBe(answers);
  await writeTree(dir, { [ANSWERS]: renamed });
  await commitAll(dir, 'rename the service to billing, move CI to GitHub Actions');
  return renamed;
}

describe('answers changed in the answers file, at the same template version', () => {
  let context: CliContext;
  beforeAll(async () => {
    context = await cliContext(cacheDir);
  });

  it('unchanged locally: billing/ replaces payments/, GitHub Actions replaces CircleCI, the Makefile is re-rendered; check reports it first', async () => {
    const { dir, answers } = await payments(context);
    const renamed = await renameToBilling(dir, answers);

    const check = await cli(context, 'check', dir);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^svc v1\.0\.0 with changed answers \(service_name, ci\):$/m);
    for (const path of ['billing/settings.py', 'billing/__init__.py', 'payments/settings.py', '.circleci/config.yml', '.github/workflows/ci.yml', 'Makefile']) {
      expect(check.stdout).toContain(`  ${path}  `);
    }
    const json = JSON.parse((await cli(context, 'check', dir, '--json')).stdout) as { upToDate: boolean; changedAnswers: string[]; answersFromHistory: boolean };
    expect(json).toMatchObject({ upToDate: false, changedAnswers: ['service_name', 'ci'], answersFromHistory: true });

    const run = await cli(context, 'update', dir);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(await treeState(dir)).toEqual(files({
      [ANSWERS]: withApplied(renamed, { service_name: 'billing', ci: 'github' }),
      'billing/__init__.py': '',
      'billing/settings.py': SETTINGS('billing'),
      'Makefile': MAKEFILE('billing'),
      '.github/workflows/ci.yml': 'on: push\n',
    }));

    await commitAll(dir, 'apply the new answers');
    const after = await cli(context, 'check', dir);
    expect(after).toMatchObject({ code: 0, stdout: 'In line with svc v1.0.0.\n' });
    const again = await cli(context, 'update', dir);
    expect(again.code).toBe(0);
    expect(await git(dir, 'status', '--porcelain')).toBe('');
  });

  it('changed locally: a local edit of a file the old answer produced is kept and reported, the Makefile merges its edit with the new name', async () => {
    const { dir, answers } = await payments(context, {
      'payments/settings.py': `${SETTINGS('payments')}ALLOWED_HOSTS = ["*"]\n`,
      'Makefile': `lint:\n\truff check .\n\n${MAKEFILE('payments')}`,
    });
    await renameToBilling(dir, answers);

    const run = await cli(context, 'update', dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('CONFLICT payments/settings.py: deleted by the template but changed in this repository');
    expect(run.stdout.match(/^CONFLICT /gm)).toHaveLength(1);
    const state = await treeState(dir);
    expect(state).toMatchObject(files({
      'payments/settings.py': `${SETTINGS('payments')}ALLOWED_HOSTS = ["*"]\n`,
      'billing/settings.py': SETTINGS('billing'),
      'billing/__init__.py': '',
      'Makefile': `lint:\n\truff check .\n\n${MAKEFILE('billing')}`,
      '.github/workflows/ci.yml': 'on: push\n',
    }));
    // The unchanged scaffold file of the old name and the CircleCI config are gone.
    expect(Object.keys(state).sort()).toEqual([ANSWERS, '.github/workflows/ci.yml', 'Makefile', 'billing/__init__.py', 'billing/settings.py', 'payments/settings.py']);
  });

  it('with no history (the answers file never committed) falls back to today\'s answers and says so', async () => {
    const work = await cliContext(cacheDir);
    const made = await cli(work, 'init', 'fresh', '--template', templateDir, '--var', 'service_name=payments');
    expect(made.code).toBe(0);
    const dir = `${work.cwd}/fresh`;
    await writeTree(dir, { [ANSWERS]: (await read(dir, ANSWERS)).replace('ci: circleci', 'ci: github') });
    const check = await cli(work, 'check', dir, '--json');
    expect(JSON.parse(check.stdout)).toMatchObject({ changedAnswers: [], answersFromHistory: false });
    expect((await cli(work, 'check', dir)).stdout).toMatch(/no git history here, so the base was rendered with today's answers/);
  });
});

describe('update --var', () => {
  let context: CliContext;
  beforeAll(async () => {
    context = await cliContext(cacheDir);
  });

  it('changes an answer in one step: written into the answers file (comments kept) and applied', async () => {
    const { dir, answers } = await payments(context);
    const commented = answers.replace('ci: circleci', 'ci: circleci # the platform team\'s choice');
    await writeTree(dir, { [ANSWERS]: commented });
    await commitAll(dir, 'note who chose CI');

    const preview = await cli(context, 'check', dir, '--var', 'ci=github');
    expect(preview.code).toBe(1);
    expect(preview.stdout).toMatch(/with changed answers \(ci\)/);
    const diff = await cli(context, 'diff', dir, '--var', 'ci=github');
    expect(diff.stdout).toContain('diff --git a/.circleci/config.yml b/.circleci/config.yml\ndeleted file mode 100644\n');
    expect(diff.stdout).toContain('-  ci: circleci # the platform team\'s choice\n+  ci: github # the platform team\'s choice\n');
    expect(await git(dir, 'status', '--porcelain')).toBe('');

    const run = await cli(context, 'update', dir, '--var', 'ci=github');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const written = withApplied(commented.replace('ci: circleci #', 'ci: github #'), { service_name: 'payments', ci: 'github' });
    expect(await treeState(dir)).toEqual(files({
      [ANSWERS]: written,
      'payments/__init__.py': '',
      'payments/settings.py': SETTINGS('payments'),
      'Makefile': MAKEFILE('payments'),
      '.github/workflows/ci.yml': 'on: push\n',
    }));

    await commitAll(dir, 'move CI to GitHub Actions');
    expect(await cli(context, 'check', dir)).toMatchObject({ code: 0, stdout: 'In line with svc v1.0.0.\n' });
  });

  it('is the base of the next release: a file the new answer made, edited here since, merges with that release', async () => {
    const repo = await SuiteRepo.create('td-history-next-');
    await repo.release('v1.0.0', TEMPLATE);
    const dir = await initService(context, repo.dir, 'next-release', '--var', 'service_name=payments');
    expect((await cli(context, 'update', dir, '--var', 'service_name=billing')).code).toBe(0);
    await commitAll(dir, 'rename the service to billing');
    // A person edits the file the new answer produced, then checks nothing is left to apply.
    await writeTree(dir, { 'billing/settings.py': `${SETTINGS('billing')}ALLOWED_HOSTS = ["*"]\n` });
    await commitAll(dir, 'allow every host');
    expect(await cli(context, 'check', dir)).toMatchObject({ code: 0, stdout: 'In line with svc v1.0.0.\n' });

    await repo.release('v1.1.0', { '{{service_name}}/settings.py.hbs': '# made by svc\nSERVICE = "{{service_name}}"\nDEBUG = False\n' });
    const run = await cli(context, 'update', dir);
    // The base is v1.0.0 as rendered with billing (the answers --var applied), not with payments:
    // billing/settings.py merges instead of being "added on both sides".
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(await read(dir, 'billing/settings.py')).toBe(`# made by svc\n${SETTINGS('billing')}ALLOWED_HOSTS = ["*"]\n`);
  });

  it('refuses a value the template does not allow, and writes nothing', async () => {
    const { dir } = await payments(context);
    const before = await treeState(dir);
    expectCleanFailure(await cli(context, 'update', dir, '--var', 'ci=jenkins'), /"ci" is "jenkins" but must be one of: circleci, github/);
    expect(await treeState(dir)).toEqual(before);
  });
});
