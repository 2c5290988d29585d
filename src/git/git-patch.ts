import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileMap } from '../engine/file-map.js';
import { gitClient } from './git-client.js';
import { stageFiles } from './stage-files.js';

export interface PatchOptions {
  /** Prepended to every path (`services/pay/`), so the patch names paths from the repository's top, as `git diff` does. */
  readonly prefix?: string;
}

/**
 * The patch that turns the files `before` into the files `after` (a path missing on one side is
 * added or deleted), written by git itself: both sides become trees in a throwaway repository and
 * `git diff-tree --binary` compares them. So the patch is what `git apply` expects, binary files
 * (as git's binary patches), modes and symlinks included, and it is as fast as git's diff on large
 * rewrites, where a line diff in JavaScript goes quadratic. Bytes, not text: a file in any
 * encoding comes out as it is.
 */
export async function gitPatch(before: FileMap, after: FileMap, options: PatchOptions = {}): Promise<Buffer> {
  if (before.size === 0 && after.size === 0) return Buffer.alloc(0);
  const scratch = await mkdtemp(join(tmpdir(), 'template-drift-patch-'));
  try {
    const repository = join(scratch, 'repository.git');
    await gitClient(scratch).raw(['init', '--bare', '--quiet', repository]);
    const pathOf = (path: string) => `${options.prefix ?? ''}${path}`;
    const tree = async (files: FileMap, name: string) => {
      const git = gitClient(repository, { env: { GIT_INDEX_FILE: join(scratch, name) } });
      await stageFiles(git, scratch, files, pathOf);
      return (await git.raw(['write-tree'])).trim();
    };
    const [from, to] = [await tree(before, 'before.index'), await tree(after, 'after.index')];
    // diff-tree is plumbing: a person's diff.* settings (no prefix, external tools, colour) do not apply.
    const patch = join(scratch, 'patch');
    await gitClient(repository).raw(['diff-tree', '-r', '-p', '--binary', '--no-renames', '--no-color', '--no-ext-diff', '--no-textconv',
      '--src-prefix=a/', '--dst-prefix=b/', `--output=${patch}`, from, to, '--']);
    return await readFile(patch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
