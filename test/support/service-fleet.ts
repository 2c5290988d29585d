import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runTemplateDrift } from './run-cli.js';
import { git, tempDir, TestRepo, writeTree, type Tree } from './temp-repo.js';

export const TEMPLATE_MANIFEST = `name: service-template
variables:
  service_name: { pattern: "^[a-z][a-z0-9_]*$" }
  log_level: { default: INFO, choices: [DEBUG, INFO] }
files:
  scaffold: ["{{service_name}}/**"]
  enforce: ["Dockerfile", ".circleci/**"]
`;

export const TEMPLATE_V1: Tree = {
  'template.yml': TEMPLATE_MANIFEST,
  'Dockerfile.hbs': 'FROM python:3.12-slim\nENV LOG_LEVEL={{log_level}}\n',
  '.circleci/config.yml': 'version: 2.1\njobs:\n  test:\n    steps: [checkout]\n',
  'Makefile': 'test:\n\tpytest\n\nlint:\n\truff check .\n',
  '{{service_name}}/app.py.hbs': 'NAME = "{{service_name}}"\n',
};

/** A bare repository on disk served to the app by a file:// clone URL, as GitHub would serve it. */
export class BareRepo {
  private constructor(readonly dir: string) {}

  static async from(source: string): Promise<BareRepo> {
    const dir = join(await tempDir('td-bare-'), 'repo.git');
    await git(source, 'clone', '--quiet', '--bare', '--', source, dir);
    // Partial clones (the app's `--filter=blob:none`) need the server to allow filters.
    await git(dir, 'config', 'uploadpack.allowFilter', 'true');
    return new BareRepo(dir);
  }

  get url(): string {
    return `file://${this.dir}`;
  }

  async show(ref: string, path: string): Promise<string> {
    return git(this.dir, 'show', `${ref}:${path}`);
  }

  async sha(ref: string): Promise<string | undefined> {
    try {
      return (await git(this.dir, 'rev-parse', '--verify', '--quiet', ref)).trim();
    } catch {
      return undefined;
    }
  }

  /** The commit `ref` points at, as GitHub's commits API reports it (sha, committer e-mail, message). */
  async commitJson(ref: string): Promise<{ sha: string; commit: { committer: { email: string }; message: string } } | undefined> {
    const sha = await this.sha(ref);
    if (!sha) return undefined;
    const [email = '', message = ''] = (await git(this.dir, 'show', '-s', '--format=%ce%x00%B', sha)).split('\0');
    return { sha, commit: { committer: { email }, message } };
  }

  async log(ref: string): Promise<string> {
    return git(this.dir, 'log', '--format=%an <%ae>|%s', ref);
  }
}

export interface TemplateFixture {
  readonly work: TestRepo;
  readonly bare: BareRepo;
  /** Commits `tree` on the template, tags it, and publishes both to the bare repository. */
  release(tag: string, tree?: Tree): Promise<void>;
}

export async function createTemplate(tree: Tree = TEMPLATE_V1): Promise<TemplateFixture> {
  const work = await TestRepo.create({}, 'td-template-');
  await work.release('v1.0.0', tree);
  const bare = await BareRepo.from(work.dir);
  return {
    work,
    bare,
    async release(tag, change = {}) {
      await work.release(tag, change);
      await git(work.dir, 'push', '--quiet', '--tags', bare.dir, 'main');
    },
  };
}

export interface ServiceFixture {
  readonly work: string;
  readonly bare: BareRepo;
  /** Commits a change on the service's default branch and publishes it. */
  commit(tree: Tree, message?: string): Promise<void>;
}

/**
 * A service repository made from the template with the real CLI, its answers pointing at the
 * template as `owner/repo` (as a GitHub-hosted service's would), published as a bare repository.
 */
export async function createService(template: TemplateFixture, name: string, templateName = 'acme/service-template'): Promise<ServiceFixture> {
  const parent = await tempDir('td-service-');
  const cacheDir = await tempDir('td-cli-cache-');
  const init = await runTemplateDrift(['init', name, '--template', template.work.dir, '--ref', 'v1.0.0', '--var', `service_name=${name}`], { cwd: parent, cacheDir });
  expect(init.stderr).toBe('');
  const work = join(parent, name);
  const answersPath = join(work, '.github/template-drift.yml');
  const answers = (await import('node:fs/promises')).readFile(answersPath, 'utf8');
  await writeFile(answersPath, (await answers).replace(/^template: .*$/m, `template: ${templateName}`));
  await git(work, 'init', '--quiet', '--initial-branch=main');
  await git(work, 'add', '--all');
  await git(work, 'commit', '--quiet', '-m', 'Create service from template');
  const bare = await BareRepo.from(work);
  return {
    work,
    bare,
    async commit(tree, message = 'local change') {
      await writeTree(work, tree);
      await git(work, 'add', '--all');
      await git(work, 'commit', '--quiet', '-m', message);
      await git(work, 'push', '--quiet', bare.dir, 'main');
    },
  };
}
