import type { TestRepo } from '../support/temp-repo.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { git, type Tree } from '../support/temp-repo.js';
import { SuiteRepo, suiteTempDir } from '../git/suite-repo.js';
import { cli, commitAll, expectCleanFailure, initService, read, sharedCache, treeState, type CliContext } from './cli-fixtures.js';

const ANSWERS = '.github/template-drift.yml';
const MANIFEST = 'name: strict\nvariables:\n  service_name: { pattern: "[a-z]+" }\n';

/** Broken releases of the template, each one commit on top of v1.0.0, tagged by what is wrong. */
const BROKEN: Record<string, Tree> = {
  'invalid-yaml': { 'template.yml': 'name: [strict\nvariables: {}\n' },
  'invalid-manifest': { 'template.yml': `${MANIFEST}colour: blue\n` },
  'tighter-pattern': { 'template.yml': MANIFEST.replace('[a-z]+', '[a-z]{10,}') },
  'new-required': { 'template.yml': `${MANIFEST}  owner_team: { description: Team that owns the service }\n` },
  'syntax-error': { 'README.md.hbs': '# {{service_name}\n' },
  'undeclared': { 'README.md.hbs': '# {{service_name}}\n\n{{#if use_redis}}redis{{/if}}\n' },
  'unsafe-path': { '{{#if service_name}}..{{/if}}/escape.txt': 'x\n' },
  'git-path': { '.{{#if service_name}}git{{/if}}/hooks/pre-commit': 'x\n' },
  'symlink-outside': { 'link': { symlink: '../../etc/passwd' } },
  'renders-answers': { '.github/template-drift.yml': 'template: evil\n' },
};

let template: TestRepo;
let context: CliContext;
let service: string;
let good: string;

beforeAll(async () => {
  template = await SuiteRepo.create('td-bad-template-');
  await template.release('v1.0.0', { 'template.yml': MANIFEST, 'README.md.hbs': '# {{service_name}}\n', 'keep.txt': 'v1\n' });
  for (const [tag, tree] of Object.entries(BROKEN)) {
    await git(template.dir, 'checkout', '--quiet', '--detach', 'v1.0.0');
    await template.commit(tree, tag);
    await git(template.dir, 'tag', tag);
  }
  await git(template.dir, 'checkout', '--quiet', 'main');
  await template.release('v1.1.0', { 'keep.txt': 'v1.1\n' });

  context = { cwd: await suiteTempDir('td-cli-work-'), cacheDir: await sharedCache() };
  service = await initService(context, template.dir, 'svc', '--ref', 'v1.0.0', '--var', 'service_name=pay');
  good = (await git(service, 'rev-parse', 'HEAD')).trim();
});

beforeEach(async () => {
  await git(service, 'reset', '--quiet', '--hard', good);
  await git(service, 'clean', '--quiet', '-fdx');
});

/** Runs a failing command and proves it left the service exactly as it found it. */
async function failsCleanly(message: RegExp, ...args: string[]): Promise<void> {
  const before = await treeState(service);
  const statusBefore = await git(service, 'status', '--porcelain');
  expectCleanFailure(await cli(context, ...args), message);
  expect(await git(service, 'status', '--porcelain')).toBe(statusBefore);
  expect(await treeState(service)).toEqual(before);
}

describe('an update to a broken template release', () => {
  it.each([
    ['an unknown ref', 'v9.9.9', /has no tag or branch "v9\.9\.9"/],
    ['template.yml that is not YAML', 'invalid-yaml', /template\.yml is not valid YAML/],
    ['template.yml with an unknown key', 'invalid-manifest', /template\.yml is invalid/],
    ['a variable failing its new pattern', 'tighter-pattern', /"service_name" is "pay" but must match \[a-z\]\{10,\}/],
    ['a new required variable', 'new-required', /"owner_team" is required \(Team that owns the service\)/],
    ['a template syntax error', 'syntax-error', /README\.md\.hbs: line 1: template syntax error/],
    ['an undeclared variable', 'undeclared', /README\.md\.hbs: line 3: "use_redis" is not a declared variable/],
    ['a path escaping the repository', 'unsafe-path', /renders to an unsafe path "\.\.\/escape\.txt"/],
    ['a path inside .git', 'git-path', /renders to an unsafe path "\.git\/hooks\/pre-commit"/],
    ['a symlink pointing outside', 'symlink-outside', /symlink link points outside the output/],
    ['a template that renders the answers file', 'renders-answers', /renders \.github\/template-drift\.yml, which belongs to each repository/],
  ])('fails on %s, leaving the repository as it was', async (_what, ref, message) => {
    await failsCleanly(message, 'update', service, '--to', ref);
  });

  it('fails the same way in check and diff (exit 2, not 1)', async () => {
    await failsCleanly(/template syntax error/, 'check', service, '--to', 'syntax-error');
    const json = await cli(context, 'check', service, '--to', 'syntax-error', '--json');
    expect(json.code).toBe(2);
    expect((JSON.parse(json.stdout) as { error: { message: string } }).error.message).toMatch(/^README\.md\.hbs: line 1: template syntax error/);
    await failsCleanly(/template syntax error/, 'diff', service, '--to', 'syntax-error');
  });
});

describe('a ref that looks like an option', () => {
  it.each([
    ['--to', '-v1.1.0'],
    ['--to', '--upload-pack=touch /tmp/pwned'],
    ['--to=--output=/tmp/x'],
  ])('is refused before git sees it: %s %s', async (...args) => {
    await failsCleanly(/is not a valid git ref name/, 'update', service, ...args);
    await failsCleanly(/is not a valid git ref name/, 'check', service, ...args);
  });

  it('is refused in the answers file too', async () => {
    const answers = await read(service, ANSWERS);
    await writeFile(join(service, ANSWERS), answers.replace(/^commit: .*\n/m, '').replace('version: v1.0.0', 'version: --upload-pack=x'));
    await commitAll(service, 'bad version');
    await failsCleanly(/"--upload-pack=x" is not a valid git ref name/, 'update', service);
  });
});

describe('a broken answers file', () => {
  async function commitAnswers(text: string): Promise<void> {
    await writeFile(join(service, ANSWERS), text);
    await commitAll(service, 'edit answers');
  }

  it('that is not YAML fails, naming the file', async () => {
    await commitAnswers('template: x\nvariables: {service_name: pay\n');
    await failsCleanly(/\.github\/template-drift\.yml is not valid YAML/, 'update', service);
  });

  it('with an answer failing the pattern fails, naming variable and value', async () => {
    await commitAnswers((await read(service, ANSWERS)).replace('service_name: pay', 'service_name: Pay-Service'));
    await failsCleanly(/"service_name" is "Pay-Service" but must match \[a-z\]\+/, 'update', service);
  });

  it('naming a template that does not exist fails with git’s reason', async () => {
    await commitAnswers((await read(service, ANSWERS)).replace(/^template: .*$/m, `template: ${join(context.cwd, 'no-such-template')}`));
    await failsCleanly(/Cannot read template .*no-such-template: .*does not appear to be a git repository/, 'update', service);
  });

  it('missing altogether fails with a hint to run init', async () => {
    await git(service, 'rm', '--quiet', ANSWERS);
    await commitAll(service, 'no answers');
    await failsCleanly(/has no \.github\/template-drift\.yml, and neither has any folder above it; run `template-drift init`/, 'update', service);
  });
});

describe('the working tree', () => {
  it('with uncommitted changes is refused, and the changes are kept as they were', async () => {
    await writeFile(join(service, 'keep.txt'), 'work in progress\n');
    await writeFile(join(service, 'scratch.txt'), 'untracked\n');
    await failsCleanly(/uncommitted changes \(.*keep\.txt.*scratch\.txt.*\); commit or stash them first/, 'update', service);
    expect(await read(service, 'keep.txt')).toBe('work in progress\n');
  });

  it('that is not a git repository is refused by update', async () => {
    const loose = join(context.cwd, 'loose');
    expect((await cli(context, 'init', loose, '--template', template.dir, '--ref', 'v1.0.0', '--var', 'service_name=pay')).code).toBe(0);
    const before = await treeState(loose);
    expectCleanFailure(await cli(context, 'update', loose), /is not in a git repository/);
    expect(await treeState(loose)).toEqual(before);
  });
});

describe('error output', () => {
  it('shows the stack trace only with --debug', async () => {
    const plain = await cli(context, 'update', service, '--to', 'v9.9.9');
    expect(plain.stderr).not.toMatch(/^\s+at /m);
    const debug = await cli(context, 'update', service, '--to', 'v9.9.9', '--debug');
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/^template-drift: Template .* has no tag or branch "v9\.9\.9"/);
    expect(debug.stderr).toMatch(/^\s+at /m);
  });

  it('exits 2 on a usage error', async () => {
    expect((await cli(context, 'update', service, '--no-such-flag')).code).toBe(2);
    expect((await cli(context, 'frobnicate')).code).toBe(2);
    expect((await cli(context, 'init', 'x')).code).toBe(2);
  });

  it('and a successful update afterwards still works from the same state', async () => {
    const run = await cli(context, 'update', service);
    expect(run.code).toBe(0);
    expect(await read(service, 'keep.txt')).toBe('v1.1\n');
  });
});
