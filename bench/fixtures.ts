import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { CliEnvironment } from '../src/cli/environment.js';
import type { Output } from '../src/cli/output.js';
import { EXIT_ERROR, runCli } from '../src/cli/program.js';
import { ANSWERS_FILE, parseAnswers } from '../src/engine/answers-file.js';
import { sameFile } from '../src/engine/file-map.js';
import { renderSnapshot } from '../src/engine/render-snapshot.js';
import { LocalCheckout } from '../src/git/local-checkout.js';
import { locateTemplate } from '../src/git/template-location.js';
import { TemplateStore } from '../src/git/template-store.js';

const exec = promisify(execFile);
const temps: string[] = [];

/** Every git process (ours and the engine's) ignores the machine's config and has a fixed identity. */
export function isolateGit(): void {
  Object.assign(process.env, {
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Bench Author',
    GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Bench Committer',
    GIT_COMMITTER_EMAIL: 'committer@example.com',
    GIT_TERMINAL_PROMPT: '0',
  });
}

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `td-bench-${prefix}-`));
  temps.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, { cwd, maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

/** Path → content; `null` deletes the path. */
export type Tree = Record<string, string | Buffer | null>;

export async function writeTree(dir: string, tree: Tree): Promise<void> {
  const entries = Object.entries(tree);
  const folders = new Set(entries.map(([path]) => dirname(join(dir, path))));
  await Promise.all([...folders].map((folder) => mkdir(folder, { recursive: true })));
  for (let start = 0; start < entries.length; start += 256) {
    await Promise.all(
      entries.slice(start, start + 256).map(([path, content]) =>
        content === null ? rm(join(dir, path), { force: true }) : writeFile(join(dir, path), content),
      ),
    );
  }
}

/** A template repository with two releases: v1.0.0 as `populate` makes it, then v1.1.0 = v1.0.0 + `changes`. */
export async function templateRepo(name: string, populate: (dir: string) => Promise<void>, changes: (dir: string) => Promise<Tree>): Promise<string> {
  const dir = await tempDir(name);
  await git(dir, 'init', '--quiet', '--initial-branch=main');
  await populate(dir);
  await release(dir, 'v1.0.0');
  await writeTree(dir, await changes(dir));
  await release(dir, 'v1.1.0');
  return dir;
}

async function release(dir: string, tag: string): Promise<void> {
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '-m', `release ${tag}`);
  await git(dir, 'tag', '-a', tag, '-m', tag);
}

/** The CLI in-process, saying nothing; an error exit (2) throws with what it said. */
export async function cli(args: string[], environment: Pick<CliEnvironment, 'cwd' | 'cacheDir'>): Promise<number> {
  let errors = '';
  const output: Output = { color: false, print: () => undefined, write: () => undefined, error: (text) => (errors += `${text}\n`), progress: () => undefined, progressBar: () => undefined };
  const code = await runCli(args, { serverUrl: 'https://github.com', apiUrl: 'https://api.github.com', ...environment }, output);
  if (code === EXIT_ERROR) throw new Error(`template-drift ${args.join(' ')} failed:\n${errors}`);
  return code;
}

export interface Service {
  /** The service repository (a git checkout made with `init` at v1.0.0, committed). */
  readonly dir: string;
  readonly cwd: string;
  /** Holds the template's objects after `init`: the cache every "warm" figure uses. */
  readonly cacheDir: string;
  /** Emptied before every "cold" repetition. */
  readonly coldCacheDir: string;
  readonly files: number;
}

/**
 * `init` at v1.0.0, local edits (so the update merges), `extra` files of the repository's own,
 * then one commit. Local edits go to every other file v1.1.0 changes and to a few it does not.
 */
export async function serviceRepo(template: string, variables: Readonly<Record<string, string>>, extra: Tree = {}): Promise<Service> {
  const cwd = await tempDir('service');
  const cacheDir = join(cwd, 'cache');
  const dir = join(cwd, 'svc');
  const vars = Object.entries(variables).flatMap(([name, value]) => ['--var', `${name}=${value}`]);
  await cli(['init', dir, '--template', template, '--ref', 'v1.0.0', ...vars], { cwd, cacheDir });
  await writeTree(dir, await localEdits(dir, cacheDir));
  await writeTree(dir, extra);
  await git(dir, 'init', '--quiet', '--initial-branch=main');
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '-m', 'service from template');
  // The first status after a commit re-reads "racily clean" files; what we time is a settled index.
  await git(dir, 'status', '--porcelain');
  const files = (await git(dir, 'ls-files', '-z')).split('\0').length - 1;
  return { dir, cwd, cacheDir, coldCacheDir: join(cwd, 'cold-cache'), files };
}

async function localEdits(dir: string, cacheDir: string): Promise<Tree> {
  const checkout = new LocalCheckout(dir);
  const answers = parseAnswers((await checkout.readText(ANSWERS_FILE)) ?? '');
  const repository = await new TemplateStore({ cacheDir }).open(locateTemplate(answers.template, { baseDir: dir }));
  const repo = await checkout.identity();
  const [from, to] = await Promise.all(
    ['v1.0.0', 'v1.1.0'].map(async (ref) => {
      const { commit } = await repository.resolve(ref);
      return renderSnapshot({ files: await repository.read(commit), ref, answers: answers.variables, repo }).output;
    }),
  );
  const edits: Tree = {};
  let changed = 0;
  let unchanged = 0;
  for (const [path, before] of [...from!].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const after = to!.get(path);
    const text = before.mode !== '120000' && !before.content.includes(0) && before.content.toString('utf8').split('\n').length > 4;
    const pick = after && !sameFile(before, after) ? changed++ % 2 === 0 : unchanged++ % 20 === 0;
    if (text && after && pick) edits[path] = `# local edit in the service\n${await readFile(join(dir, path), 'utf8')}`;
  }
  return edits;
}

/** Back to the committed state after an update wrote to the working tree. */
export async function resetRepo(dir: string): Promise<void> {
  await git(dir, 'reset', '--hard', '--quiet');
  await git(dir, 'clean', '-fd', '--quiet');
}

/** `count` files of the repository's own, in folders of 100, none of them the template's. */
export function ownFiles(count: number): Tree {
  const tree: Tree = {};
  for (let n = 0; n < count; n++) {
    const path = `own/area_${Math.floor(n / 1000)}/pkg_${Math.floor(n / 100) % 10}/mod_${n}.py`;
    tree[path] = `"""Module ${n}, owned by the service."""\n\n\ndef handler_${n}(event):\n    return {"id": ${n}, "event": event}\n`;
  }
  return tree;
}
