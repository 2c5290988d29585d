import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { git, writeTree, type Tree } from './git-tree.js';

export { git, writeTree, type FileSpec, type Tree } from './git-tree.js';

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
