import type { RestOctokit } from './octokit-platform.js';
import { statusOf } from './create-once.js';
import type { RepoId, TreeBlob } from './platform.js';

type TreeItem = { path?: string; mode?: string; type?: string; sha?: string };

/**
 * The blobs at `paths` on `ref`, read from GitHub's trees API: one recursive read, which GitHub
 * cuts short for very large repositories (`truncated`, past 100,000 entries or 7 MB); then only
 * the folders on the way to `paths` are listed, one read each, so the cost still follows the
 * template's paths, not the repository's size.
 * https://docs.github.com/rest/git/trees#get-a-tree
 */
export async function readTreeBlobs(octokit: RestOctokit, { owner, repo }: RepoId, ref: string, paths: readonly string[]): Promise<Map<string, TreeBlob>> {
  const wanted = new Set(paths);
  const found = new Map<string, TreeBlob>();
  if (wanted.size === 0) return found;
  const read = async (treeSha: string, recursive: boolean) => {
    try {
      return (await octokit.rest.git.getTree({ owner, repo, tree_sha: treeSha, ...(recursive && { recursive: '1' }) })).data;
    } catch (error) {
      // 404: no such branch; 409: an empty repository. Either way it has none of the files.
      if (statusOf(error) === 404 || statusOf(error) === 409) return undefined;
      throw error;
    }
  };
  const collect = (items: readonly TreeItem[], prefix: string) => {
    for (const item of items) {
      const path = `${prefix}${item.path ?? ''}`;
      if (item.type === 'blob' && item.sha && item.mode && wanted.has(path)) found.set(path, { sha: item.sha, mode: item.mode });
    }
  };

  const whole = await read(ref, true);
  if (!whole) return found;
  if (!whole.truncated) {
    collect(whole.tree, '');
    return found;
  }
  // Folders that lead to a wanted path, walked from the root by their tree ids.
  const folders = new Set([...wanted].flatMap((path) => path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  let level: { sha: string; prefix: string }[] = [{ sha: whole.sha, prefix: '' }];
  while (level.length > 0) {
    const listed = await Promise.all(level.map(async (folder) => ({ folder, tree: await read(folder.sha, false) })));
    level = [];
    for (const { folder, tree } of listed) {
      if (!tree) continue;
      collect(tree.tree, folder.prefix);
      for (const item of tree.tree) {
        const path = `${folder.prefix}${item.path ?? ''}`;
        if (item.type === 'tree' && item.sha && folders.has(path)) level.push({ sha: item.sha, prefix: `${path}/` });
      }
    }
  }
  return found;
}
