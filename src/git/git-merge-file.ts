import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PQueue from 'p-queue';
import type { MergeLabels, MergeResult, Merger } from '../engine/merger.js';
import { runGit } from './git-process.js';

/**
 * The engine's Merger, done by git itself: `git merge-file -p` on three temporary files, the
 * result read from its output as bytes, whatever the file's encoding. Its exit code is the
 * number of conflicts, so 1..127 are answers, not failures. It runs without simple-git, which
 * waits 50 ms after a command that prints nothing (a merge whose result is empty).
 */
export class GitMergeFile implements Merger {
  /** Merges asked for together run a few at a time: enough to overlap git's start-up, not a fork bomb. */
  private readonly slots = new PQueue({ concurrency: 8 });

  merge(ours: Buffer, base: Buffer, theirs: Buffer, labels: MergeLabels): Promise<MergeResult> {
    return this.slots.add(() => this.mergeNow(ours, base, theirs, labels));
  }

  private async mergeNow(ours: Buffer, base: Buffer, theirs: Buffer, labels: MergeLabels): Promise<MergeResult> {
    const dir = await mkdtemp(join(tmpdir(), 'template-drift-merge-'));
    try {
      const [oursPath, basePath, theirsPath] = ['ours', 'base', 'theirs'].map((name) => join(dir, name)) as [string, string, string];
      await Promise.all([writeFile(oursPath, ours), writeFile(basePath, base), writeFile(theirsPath, theirs)]);
      const { stdout, exitCode } = await runGit(dir, ['merge-file', '-p', '-L', labels.ours, '-L', labels.base, '-L', labels.theirs, '--', oursPath, basePath, theirsPath], {
        acceptExitCodes: (code) => code > 0 && code < 128,
      });
      return { content: stdout, conflicted: exitCode > 0 };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
