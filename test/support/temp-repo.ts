import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach } from 'vitest';

const exec = promisify(execFile);

const cleanups: string[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temporary folder removed after the current test. */
export async function tempDir(prefix = 'td-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(dir);
  return dir;
}

/** Runs git in `cwd` with array arguments; resolves to stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** A file's content, `null` to delete it, or `{ content, mode }` / `{ symlink }` for the rest. */
export type FileSpec = string | Buffer | null | { content: string | Buffer; executable?: boolean } | { symlink: string };
export type Tree = Record<string, FileSpec>;

export async function writeTree(dir: string, tree: Tree): Promise<void> {
  for (const [path, spec] of Object.entries(tree)) {
    const full = join(dir, path);
    await rm(full, { force: true, recursive: true });
    if (spec === null) continue;
    await mkdir(dirname(full), { recursive: true });
    if (typeof spec === 'object' && !Buffer.isBuffer(spec) && 'symlink' in spec) {
      await symlink(spec.symlink, full);
    } else if (typeof spec === 'object' && !Buffer.isBuffer(spec)) {
      await writeFile(full, spec.content);
      await chmod(full, spec.executable ? 0o755 : 0o644);
    } else {
      await writeFile(full, spec);
    }
  }
}

/** A git repository on disk, with helpers to commit trees and tag them. */
export class TestRepo {
  private constructor(readonly dir: string) {}

  /** `makeDir` decides the repository's lifetime: by default it is removed after the current test. */
  static async create(tree: Tree = {}, prefix = 'td-repo-', makeDir: (prefix: string) => Promise<string> = tempDir): Promise<TestRepo> {
    const dir = await makeDir(prefix);
    await git(dir, 'init', '--quiet', '--initial-branch=main');
    const repo = new TestRepo(dir);
    if (Object.keys(tree).length > 0) await repo.commit(tree, 'initial');
    return repo;
  }

  async write(tree: Tree): Promise<void> {
    await writeTree(this.dir, tree);
  }

  async commit(tree: Tree, message = 'change'): Promise<string> {
    await writeTree(this.dir, tree);
    await git(this.dir, 'add', '--all');
    await git(this.dir, 'commit', '--quiet', '--allow-empty', '-m', message);
    return (await git(this.dir, 'rev-parse', 'HEAD')).trim();
  }

  /** Commits `tree` and tags the result (annotated, as releases usually are). */
  async release(tag: string, tree: Tree = {}): Promise<string> {
    const sha = await this.commit(tree, `release ${tag}`);
    await git(this.dir, 'tag', '-a', tag, '-m', tag);
    return sha;
  }

  async read(path: string): Promise<string> {
    return readFile(join(this.dir, path), 'utf8');
  }

  async status(): Promise<string> {
    return git(this.dir, 'status', '--porcelain');
  }
}
