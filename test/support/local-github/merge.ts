import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BareRepo } from './bare-repo.js';
import { git, runGit } from './git.js';

export type MergeResult = { readonly tree: string } | { readonly conflicts: string[] };

/**
 * The tree of a three-way merge of `ours` and `theirs`, computed in a bare repository: git 2.39
 * has no `merge-tree --write-tree`, so `read-tree -m` merges what it can into a private index
 * and `merge-file` merges the contents of files both sides changed. Anything else both sides
 * touched (add/add with different content, modify/delete) is a conflict, as on GitHub.
 */
export async function mergeTrees(repo: BareRepo, ours: string, theirs: string): Promise<MergeResult> {
  const base = await repo.mergeBase(ours, theirs);
  if (!base) return { conflicts: ['(no common history)'] };
  const scratch = await mkdtemp(join(tmpdir(), 'local-github-merge-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    await git(repo.dir, ['read-tree', '-m', '-i', '--aggressive', base, ours, theirs], { env });
    const unmerged = await unmergedEntries(repo, env);
    const conflicts: string[] = [];
    for (const [path, stages] of unmerged) {
      const [baseEntry, ourEntry, theirEntry] = [stages.get(1), stages.get(2), stages.get(3)];
      if (!baseEntry || !ourEntry || !theirEntry) {
        conflicts.push(path);
        continue;
      }
      const files = await Promise.all([ourEntry, baseEntry, theirEntry].map(async (entry, i) => {
        const file = join(scratch, `${i}`);
        await writeFile(file, (await runGit(repo.dir, ['cat-file', 'blob', entry.sha])).stdout);
        return file;
      }));
      const merged = await runGit(repo.dir, ['merge-file', '-p', ...files]);
      if (merged.code !== 0) {
        conflicts.push(path);
        continue;
      }
      const sha = await git(repo.dir, ['hash-object', '-w', '--stdin'], { input: merged.stdout });
      // A mode change on one side wins over the other side's unchanged mode.
      const mode = ourEntry.mode === baseEntry.mode ? theirEntry.mode : ourEntry.mode;
      await git(repo.dir, ['update-index', '--cacheinfo', `${mode},${sha},${path}`], { env });
    }
    if (conflicts.length > 0) return { conflicts };
    return { tree: await git(repo.dir, ['write-tree'], { env }) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function unmergedEntries(repo: BareRepo, env: Record<string, string>): Promise<Map<string, Map<number, { mode: string; sha: string }>>> {
  const out = await git(repo.dir, ['ls-files', '-u', '-z'], { env });
  const byPath = new Map<string, Map<number, { mode: string; sha: string }>>();
  for (const record of out.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode = '', sha = '', stage = ''] = record.slice(0, tab).split(' ');
    const path = record.slice(tab + 1);
    const stages = byPath.get(path) ?? new Map<number, { mode: string; sha: string }>();
    stages.set(Number(stage), { mode, sha });
    byPath.set(path, stages);
  }
  return byPath;
}
