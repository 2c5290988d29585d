/**
 * The port through which the engine asks for a three-way text merge. The only implementation
 * that ships is git's own `git merge-file` (src/git/merge-file.ts): our code decides which rule
 * applies to a path, git decides the merged text.
 */
export interface MergeLabels {
  readonly ours: string;
  readonly base: string;
  readonly theirs: string;
}

export interface MergeResult {
  readonly content: Buffer;
  /** True when conflict markers were written into `content`. */
  readonly conflicted: boolean;
}

export interface Merger {
  merge(ours: Buffer, base: Buffer, theirs: Buffer, labels: MergeLabels): Promise<MergeResult>;
}
