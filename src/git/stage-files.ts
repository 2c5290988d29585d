import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import type { FileMap } from '../engine/file-map.js';

/** Files per git command: keeps every command line far below the system's argument limit. */
const BATCH = 500;

/**
 * Puts `files` into the index `git` works on (give it a private GIT_INDEX_FILE): each file's bytes
 * become a blob taken literally (`--no-filters`: no line-ending or attribute conversion), with its
 * git mode. `scratch` is a folder for the bytes on their way in. `pathOf` maps a file's path to
 * its path in the index.
 */
export async function stageFiles(git: SimpleGit, scratch: string, files: FileMap, pathOf: (path: string) => string = (path) => path): Promise<void> {
  const entries = [...files];
  if (entries.length === 0) return;
  const blobs = await mkdtemp(join(scratch, 'blobs-'));
  const names = await Promise.all(entries.map(async ([, entry], i) => {
    const name = join(blobs, String(i));
    await writeFile(name, entry.content);
    return name;
  }));
  for (let start = 0; start < entries.length; start += BATCH) {
    const ids = (await git.raw(['hash-object', '-w', '--no-filters', '--', ...names.slice(start, start + BATCH)])).trim().split('\n');
    const cacheInfo = ids.flatMap((id, offset) => {
      const [path, entry] = entries[start + offset]!;
      return ['--cacheinfo', `${entry.mode},${id},${pathOf(path)}`];
    });
    await git.raw(['update-index', '--add', ...cacheInfo]);
  }
}
