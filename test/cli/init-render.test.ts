import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { git, tempDir, TestRepo } from '../support/temp-repo.js';
import { SuiteRepo } from '../git/suite-repo.js';
import { cli, cliContext, expectCleanFailure, read, sharedCache, treeState } from './cli-fixtures.js';

const MANIFEST = `name: web-service
variables:
  service_name:
    description: Python package name
    default: "{{snake repo.name}}"
    pattern: "[a-z][a-z0-9_]*"
  port: { default: 8000 }
  log_level: { default: INFO, choices: [DEBUG, INFO] }
files:
  exclude: ["template-docs/**"]
`;

const V1_FILES = {
  'template.yml': MANIFEST,
  'README.md.hbs': '# {{service_name}}\nOwned by {{repo.owner}}.\n',
  '{{service_name}}/__init__.py': '',
  'Dockerfile.hbs': 'EXPOSE {{port}}\nENV LOG_LEVEL={{log_level}}\n',
  'bin/start.sh': { content: '#!/bin/sh\nexec gunicorn\n', executable: true },
  '.github/workflows/ci.yml': 'on: push\njobs:\n  t:\n    if: ${{ github.event_name == \'push\' }}\n',
  'template-docs/how-to-release.md': 'not for services\n',
};

describe('init', () => {
  let template: TestRepo;
  let v1: string;
  let cache: string;
  beforeAll(async () => {
    cache = await sharedCache();
    template = await SuiteRepo.create('td-init-template-');
    v1 = await template.release('v1.0.0', V1_FILES);
    await template.release('v1.10.0', { 'README.md.hbs': '# {{service_name}} (1.10)\n' });
    await template.release('v1.9.0', { 'README.md.hbs': '# {{service_name}} (1.9)\n' });
    await template.release('v2.0.0-rc.1', { 'README.md.hbs': '# {{service_name}} (rc)\n' });
    await git(template.dir, 'checkout', '--quiet', '-b', 'experimental');
    await template.commit({ 'README.md.hbs': '# {{service_name}} (experimental)\n' });
  });

  it('writes every template file and the answers file into a new folder, at the latest release', async () => {
    const context = await cliContext(cache);
    const run = await cli(context, 'init', 'payments-api', '--template', template.dir, '--var', 'log_level=DEBUG');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/Created 5 files from web-service v1\.10\.0/);

    const service = join(context.cwd, 'payments-api');
    expect(Object.keys(await treeState(service)).sort()).toEqual([
      '.github/template-drift.yml',
      '.github/workflows/ci.yml',
      'Dockerfile',
      'README.md',
      'bin/start.sh',
      'payments_api/__init__.py',
    ]);
    expect(await read(service, 'README.md')).toBe('# payments_api (1.10)\n');
    expect(await read(service, 'Dockerfile')).toBe('EXPOSE 8000\nENV LOG_LEVEL=DEBUG\n');
    expect(await read(service, '.github/workflows/ci.yml')).toBe(V1_FILES['.github/workflows/ci.yml']);
    expect((await stat(join(service, 'bin/start.sh'))).mode & 0o111).not.toBe(0);

    const answers = parseAnswers(await read(service, '.github/template-drift.yml'));
    expect(answers).toMatchObject({
      template: template.dir,
      version: 'v1.10.0',
      commit: (await git(template.dir, 'rev-parse', 'v1.10.0^{commit}')).trim(),
      variables: { service_name: 'payments_api', port: 8000, log_level: 'DEBUG' },
    });
  });

  it('leaves prereleases out of the default target unless the answers file accepts them', async () => {
    const context = await cliContext(cache);
    expect((await cli(context, 'init', 'svc', '--template', template.dir)).code).toBe(0);
    const service = join(context.cwd, 'svc');
    expect((await cli(context, 'check', service)).code).toBe(0);
    await writeFile(join(service, '.github/template-drift.yml'), `${await read(service, '.github/template-drift.yml')}prereleases: true\n`);
    const check = await cli(context, 'check', service, '--json');
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout)).toMatchObject({ from: 'v1.10.0', to: 'v2.0.0-rc.1' });
  });

  it('uses the tag, branch or commit given with --ref', async () => {
    const context = await cliContext(cache);
    expect((await cli(context, 'init', 'a', '--template', template.dir, '--ref', 'v1.0.0')).code).toBe(0);
    expect(await read(join(context.cwd, 'a'), 'README.md')).toBe('# a\nOwned by .\n');
    expect(parseAnswers(await read(join(context.cwd, 'a'), '.github/template-drift.yml'))).toMatchObject({ version: 'v1.0.0', commit: v1 });

    expect((await cli(context, 'init', 'b', '--template', template.dir, '--ref', 'experimental')).code).toBe(0);
    expect(await read(join(context.cwd, 'b'), 'README.md')).toBe('# b (experimental)\n');

    expect((await cli(context, 'init', 'c', '--template', template.dir, '--ref', v1)).code).toBe(0);
    expect(parseAnswers(await read(join(context.cwd, 'c'), '.github/template-drift.yml'))).toMatchObject({ version: v1, commit: v1 });
  });

  it('takes repo.owner and repo.name from the origin remote of an existing repository', async () => {
    const context = await cliContext(cache);
    const existing = await TestRepo.create({ 'main.py': 'print()\n' });
    await git(existing.dir, 'remote', 'add', 'origin', 'git@github.com:acme/Billing-Service.git');
    expect((await cli(context, 'init', existing.dir, '--template', template.dir, '--ref', 'v1.0.0')).code).toBe(0);
    expect(await existing.read('README.md')).toBe('# billing_service\nOwned by acme.\n');
  });

  it('adopts an existing repository: keeps every file it has and adds the rest', async () => {
    const context = await cliContext(cache);
    const existing = await TestRepo.create({ 'README.md': 'our own readme\n', 'Dockerfile': 'FROM ours\n', 'src/app.py': 'app\n' }, 'td-adopt-');
    const run = await cli(context, 'init', existing.dir, '--template', template.dir, '--ref', 'v1.0.0', '--var', 'service_name=pay');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/kept 2 existing files/);
    expect(await existing.read('README.md')).toBe('our own readme\n');
    expect(await existing.read('Dockerfile')).toBe('FROM ours\n');
    expect(await existing.read('src/app.py')).toBe('app\n');
    expect(await existing.read('pay/__init__.py')).toBe('');
    expect((await existing.status()).split('\n').filter(Boolean).sort()).toEqual(['?? .github/', '?? bin/', '?? pay/']);
  });

  it('refuses a folder that already has an answers file, changing nothing', async () => {
    const context = await cliContext(cache);
    expect((await cli(context, 'init', 'svc', '--template', template.dir)).code).toBe(0);
    const before = await treeState(join(context.cwd, 'svc'));
    expectCleanFailure(await cli(context, 'init', 'svc', '--template', template.dir), /already has \.github\/template-drift\.yml; use `template-drift update`/);
    expect(await treeState(join(context.cwd, 'svc'))).toEqual(before);
  });

  it.each([
    ['a variable failing its pattern', ['--var', 'service_name=Not-Valid'], /"service_name" is "Not-Valid" but must match/],
    ['a value outside the choices', ['--var', 'log_level=TRACE'], /"log_level" is "TRACE" but must be one of: DEBUG, INFO/],
    ['an undeclared variable', ['--var', 'colour=red'], /does not declare: colour/],
    ['a --var without =', ['--var', 'service_name'], /--var takes name=value/],
    ['an unknown ref', ['--ref', 'v7.0.0'], /has no tag or branch "v7\.0\.0"/],
    ['a ref that looks like an option', ['--ref', '--upload-pack=touch /tmp/x'], /"--upload-pack=touch \/tmp\/x" is not a valid git ref name/],
  ])('fails on %s, writing nothing', async (_what, args, message) => {
    const context = await cliContext(cache);
    expectCleanFailure(await cli(context, 'init', 'svc', '--template', template.dir, ...args), message);
    expect(await readdir(context.cwd)).toEqual([]);
  });
});

describe('render', () => {
  let template: TestRepo;
  let cache: string;
  beforeAll(async () => {
    cache = await sharedCache();
    template = await SuiteRepo.create('td-render-template-');
    await template.release('v1.0.0', V1_FILES);
    await template.release('v1.1.0', { 'README.md.hbs': '# {{service_name}} v1.1\n' });
  });

  it('writes the rendered template into a new folder, without an answers file', async () => {
    const context = await cliContext(cache);
    const run = await cli(context, 'render', '--template', template.dir, '--var', 'service_name=orders', '--out', 'out');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Rendered 5 files from web-service v1\.1\.0/);
    const out = join(context.cwd, 'out');
    expect(Object.keys(await treeState(out)).sort()).toEqual(['.github/workflows/ci.yml', 'Dockerfile', 'README.md', 'bin/start.sh', 'orders/__init__.py']);
    expect(await read(out, 'README.md')).toBe('# orders v1.1\n');
  });

  it('takes variables from an answers file, and the version from --ref', async () => {
    const context = await cliContext(cache);
    const answers = join(await tempDir(), 'answers.yml');
    await writeFile(answers, `template: ${template.dir}\nvariables:\n  service_name: from_answers\n  port: 9000\n`);
    const run = await cli(context, 'render', '--template', template.dir, '--ref', 'v1.0.0', '--answers', answers, '--out', 'out');
    expect(run.code).toBe(0);
    expect(await read(join(context.cwd, 'out'), 'README.md')).toBe('# from_answers\nOwned by .\n');
    expect(await read(join(context.cwd, 'out'), 'Dockerfile')).toBe('EXPOSE 9000\nENV LOG_LEVEL=INFO\n');
  });

  it('writes into an empty existing folder and refuses one with files', async () => {
    const context = await cliContext(cache);
    const empty = await tempDir();
    expect((await cli(context, 'render', '--template', template.dir, '--out', empty)).code).toBe(0);
    const before = await treeState(empty);
    expectCleanFailure(await cli(context, 'render', '--template', template.dir, '--out', empty), /is not empty/);
    expect(await treeState(empty)).toEqual(before);
  });

  it('fails on an unreadable or invalid answers file', async () => {
    const context = await cliContext(cache);
    expectCleanFailure(await cli(context, 'render', '--template', template.dir, '--answers', 'missing.yml', '--out', 'out'), /Cannot read the answers file/);
    const broken = join(await tempDir(), 'answers.yml');
    await writeFile(broken, 'template: x\nvariables: [oops\n');
    expectCleanFailure(await cli(context, 'render', '--template', template.dir, '--answers', broken, '--out', 'out'), /template-drift\.yml is not valid YAML/);
    expect(await readdir(context.cwd)).toEqual([]);
  });
});
