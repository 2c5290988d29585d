import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runTemplateDrift, type CliRun } from '../support/run-cli.js';
import { git, tempDir } from '../support/temp-repo.js';
import { suiteTempDir } from '../git/suite-repo.js';

/** Where a CLI run happens: the current folder and a template cache of its own. */
export interface CliContext {
  readonly cwd: string;
  readonly cacheDir: string;
}

/** A fresh folder to work in, with its own template cache unless given one to share. */
export async function cliContext(cacheDir?: string): Promise<CliContext> {
  return { cwd: await tempDir('td-cli-work-'), cacheDir: cacheDir ?? (await tempDir('td-cli-cache-')) };
}

/** A template cache for every test of a file: fetching each template once keeps the suite quick. */
export function sharedCache(): Promise<string> {
  return suiteTempDir('td-cli-cache-');
}

export function cli(context: CliContext, ...args: string[]): Promise<CliRun> {
  return runTemplateDrift(args, context);
}

export async function commitAll(dir: string, message = 'commit'): Promise<void> {
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '--allow-empty', '-m', message);
}

/**
 * `template-drift init` of a new service named `name` in the context's folder, then made a git
 * repository with everything committed, as a person would after init.
 */
export async function initService(context: CliContext, template: string, name: string, ...args: string[]): Promise<string> {
  const run = await cli(context, 'init', name, '--template', template, ...args);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const dir = join(context.cwd, name);
  await git(dir, 'init', '--quiet', '--initial-branch=main');
  await commitAll(dir, 'from template');
  return dir;
}

/** Every file of a working tree (not .git) with its mode and bytes, to prove nothing changed. */
export async function treeState(dir: string): Promise<Record<string, string>> {
  const state: Record<string, string> = {};
  async function walk(relative: string): Promise<void> {
    for (const name of await readdir(join(dir, relative))) {
      const path = relative ? `${relative}/${name}` : name;
      if (path === '.git') continue;
      const stats = await lstat(join(dir, path));
      if (stats.isDirectory()) await walk(path);
      else if (stats.isSymbolicLink()) state[path] = `link -> ${await readlink(join(dir, path))}`;
      else state[path] = `${(stats.mode & 0o777).toString(8)} ${(await readFile(join(dir, path))).toString('base64')}`;
    }
  }
  await walk('');
  return state;
}

export async function read(dir: string, path: string): Promise<string> {
  return readFile(join(dir, path), 'utf8');
}

/** A failure as the CLI contract wants it: exit 2, one message on stderr, no stack trace, no output. */
export function expectCleanFailure(run: CliRun, message: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^template-drift: /);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toMatch(/unexpected error/);
  expect(run.stderr.match(/template-drift: /g)).toHaveLength(1);
  expect(run.stdout).toBe('');
}
