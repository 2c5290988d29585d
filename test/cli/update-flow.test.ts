import { describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { runTemplateDrift } from '../support/run-cli.js';
import { git, tempDir, TestRepo } from '../support/temp-repo.js';

const MANIFEST = `name: demo
variables:
  service_name: { pattern: "^[a-z][a-z0-9_]*$" }
  log_level: { default: INFO, choices: [DEBUG, INFO] }
files:
  scaffold: ["{{service_name}}/**"]
  enforce: ["Dockerfile"]
`;

async function setup() {
  const template = await TestRepo.create({}, 'td-template-');
  await template.release('v1.0.0', {
    'template.yml': MANIFEST,
    'Dockerfile.hbs': 'FROM python:3.12\nENV LOG={{log_level}}\n',
    '{{service_name}}/app.py.hbs': 'print("{{service_name}}")\n',
    'notes.txt': 'a\nb\nc\nd\ne\n',
  });
  const cacheDir = await tempDir('td-cache-');
  const work = await tempDir('td-work-');
  const env = { cwd: work, cacheDir };
  const init = await runTemplateDrift(['init', 'svc', '--template', template.dir, '--var', 'service_name=pay'], env);
  expect(init.stderr).toBe('');
  expect(init.code).toBe(0);
  const service = `${work}/svc`;
  await git(service, 'init', '--quiet', '--initial-branch=main');
  await git(service, 'add', '--all');
  await git(service, 'commit', '--quiet', '-m', 'from template');
  return { template, env, service };
}

describe('init, check, update', () => {
  it('renders a new service and records the answers', async () => {
    const { service, env } = await setup();
    const answers = parseAnswers(await (await import('node:fs/promises')).readFile(`${service}/.github/template-drift.yml`, 'utf8'));
    expect(answers.version).toBe('v1.0.0');
    expect(answers.variables).toEqual({ service_name: 'pay', log_level: 'INFO' });
    const check = await runTemplateDrift(['check', service], env);
    expect(check).toMatchObject({ code: 0 });
    expect(check.stdout).toContain('In line with demo v1.0.0');
  });

  it('merges a template release into a locally edited service', async () => {
    const { template, service, env } = await setup();
    await template.release('v1.1.0', {
      'notes.txt': 'a\nB\nc\nd\ne\n',
      'Dockerfile.hbs': 'FROM python:3.13\nENV LOG={{log_level}}\n',
      'extra.txt': 'new\n',
    });
    const repo = { dir: service };
    await (await import('node:fs/promises')).writeFile(`${service}/notes.txt`, 'a\nb\nc\nd\nE\n');
    await (await import('node:fs/promises')).appendFile(`${service}/Dockerfile`, 'local\n');
    await git(repo.dir, 'commit', '--quiet', '-am', 'local edits');

    const check = await runTemplateDrift(['check', service, '--json'], env);
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout) as { from: string; to: string; upToDate: boolean; changes: { path: string; action: string; conflict: boolean }[] };
    expect(report).toMatchObject({ from: 'v1.0.0', to: 'v1.1.0', upToDate: false });
    expect(report.changes.map((c) => [c.path, c.action, c.conflict])).toEqual([
      ['Dockerfile', 'update', false],
      ['extra.txt', 'add', false],
      ['notes.txt', 'update', false],
    ]);

    const update = await runTemplateDrift(['update', service], env);
    expect(update.code).toBe(0);
    const fs = await import('node:fs/promises');
    expect(await fs.readFile(`${service}/notes.txt`, 'utf8')).toBe('a\nB\nc\nd\nE\n');
    expect(await fs.readFile(`${service}/Dockerfile`, 'utf8')).toBe('FROM python:3.13\nENV LOG=INFO\n');
    expect(await fs.readFile(`${service}/extra.txt`, 'utf8')).toBe('new\n');
    await git(service, 'commit', '--quiet', '-am', 'update');
    await git(service, 'add', '--all');
    await git(service, 'commit', '--quiet', '-m', 'update');
    expect((await runTemplateDrift(['check', service], env)).code).toBe(0);
  });
});
