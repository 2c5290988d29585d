import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { git, writeTree, type Tree } from '../support/temp-repo.js';

/**
 * Fixtures shared by the tests of one file. test/support's tempDir is removed after each test,
 * which would pull a shared template away from the second test; these live until the file ends.
 */
const suiteDirs: string[] = [];

afterAll(async () => {
  await Promise.all(suiteDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export async function suiteTempDir(prefix = 'td-suite-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  suiteDirs.push(dir);
  return dir;
}

/** A git repository kept for the whole test file: commits trees and tags releases. */
export class SuiteRepo {
  private constructor(readonly dir: string) {}

  static async create(prefix = 'td-suite-repo-'): Promise<SuiteRepo> {
    const dir = await suiteTempDir(prefix);
    await git(dir, 'init', '--quiet', '--initial-branch=main');
    return new SuiteRepo(dir);
  }

  async commit(tree: Tree, message = 'change'): Promise<string> {
    await writeTree(this.dir, tree);
    await git(this.dir, 'add', '--all');
    await git(this.dir, 'commit', '--quiet', '--allow-empty', '-m', message);
    return (await git(this.dir, 'rev-parse', 'HEAD')).trim();
  }

  /** Commits `tree` and tags it with an annotated tag, as releases usually are. */
  async release(tag: string, tree: Tree = {}): Promise<string> {
    const sha = await this.commit(tree, `release ${tag}`);
    await git(this.dir, 'tag', '-a', tag, '-m', tag);
    return sha;
  }
}
