import type { Person } from './bare-repo.js';
import { ApiError } from './http.js';
import type { Hub } from './hub.js';
import { mergeTrees } from './merge.js';
import type { PullGitState } from './shapes/pulls.js';
import { timestamp, type IssueRecord, type PullRecord, type RepoRecord } from './types.js';

export type PullIssue = IssueRecord & { readonly pull: PullRecord };

export function isPull(issue: IssueRecord | undefined): issue is PullIssue {
  return issue?.pull !== undefined;
}

/** The head commit: the branch's while the pull request is open, the one it closed at otherwise. */
export async function headSha(hub: Hub, repo: RepoRecord, issue: PullIssue): Promise<string> {
  if (issue.pull.frozenHeadSha) return issue.pull.frozenHeadSha;
  return (await hub.git(repo).resolveCommit(`refs/heads/${issue.pull.headRef}`)) ?? '';
}

/** Head, base and (for the single-pull endpoint) mergeability and counts, read from git now. */
export async function pullGitState(hub: Hub, repo: RepoRecord, issue: PullIssue, detail: boolean): Promise<PullGitState> {
  const git = hub.git(repo);
  const head = await headSha(hub, repo, issue);
  const base = (await git.resolveCommit(`refs/heads/${issue.pull.baseRef}`)) ?? '';
  if (!detail || !head || !base) return { headSha: head, baseSha: base };
  const mergeBase = await git.mergeBase(base, head);
  const commits = await git.commitsBetween(head, [base]);
  const files = await git.diff(mergeBase, head);
  const mergeable = issue.state === 'open' ? 'tree' in (await mergeTrees(git, base, head)) : null;
  return {
    headSha: head, baseSha: base, mergeable,
    stats: { commits: commits.length, additions: files.reduce((n, f) => n + f.additions, 0), deletions: files.reduce((n, f) => n + f.deletions, 0), changedFiles: files.length },
  };
}

/** Closes without merging: the head is frozen where it is. */
export async function closePull(hub: Hub, repo: RepoRecord, issue: PullIssue, by: string): Promise<void> {
  issue.pull.frozenHeadSha = await headSha(hub, repo, issue);
  const now = timestamp();
  Object.assign(issue, { state: 'closed', closedAt: now, closedBy: by, updatedAt: now });
}

export async function reopenPull(hub: Hub, repo: RepoRecord, issue: PullIssue): Promise<void> {
  if (issue.pull.merged) throw new ApiError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', code: 'custom', message: 'state cannot be changed. The pull request cannot be reopened.' }] });
  if (!(await hub.git(repo).resolveCommit(`refs/heads/${issue.pull.headRef}`))) throw new ApiError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', code: 'custom', message: 'state cannot be changed. The head branch was deleted.' }] });
  issue.pull.frozenHeadSha = undefined;
  Object.assign(issue, { state: 'open', stateReason: 'reopened', closedAt: null, closedBy: null, updatedAt: timestamp() });
}

export interface MergeOptions {
  readonly method: 'merge' | 'squash' | 'rebase';
  /** The head the merger saw; a different head is a 409, as on GitHub. */
  readonly sha?: string;
  readonly title?: string;
  readonly message?: string;
  /** Who presses the button: the merge commit's author and the `merged_by` user. */
  readonly by: string;
}

/**
 * Merges as GitHub's merge button does: `merge` always makes a merge commit (GitHub never
 * fast-forwards), `squash` one commit with the base as only parent, `rebase` only a fast-forward
 * here. Moves the base branch and marks the pull request merged; returns the base's before/after.
 */
export async function mergePull(hub: Hub, repo: RepoRecord, issue: PullIssue, options: MergeOptions): Promise<{ sha: string; before: string }> {
  if (issue.pull.merged || issue.state !== 'open') throw new ApiError(405, 'Pull Request is not mergeable');
  const git = hub.git(repo);
  const head = await headSha(hub, repo, issue);
  const baseRef = `refs/heads/${issue.pull.baseRef}`;
  const base = await git.resolveCommit(baseRef);
  if (!head || !base) throw new ApiError(405, 'Pull Request is not mergeable');
  if (options.sha && options.sha !== head) throw new ApiError(409, 'Head branch was modified. Review and try the merge again.');
  const person: Person = { name: options.by, email: `${options.by}@users.noreply.local` };
  const committer: Person = { name: 'GitHub', email: 'noreply@github.com' };
  let sha: string;
  if (options.method === 'rebase') {
    if ((await git.mergeBase(base, head)) !== base) throw new ApiError(405, 'This branch can\'t be rebased');
    sha = head;
  } else {
    const merged = await mergeTrees(git, base, head);
    if (!('tree' in merged)) throw new ApiError(405, 'Pull Request is not mergeable');
    const title = options.title ?? (options.method === 'merge' ? `Merge pull request #${issue.number} from ${repo.owner}/${issue.pull.headRef}` : `${issue.title} (#${issue.number})`);
    const message = `${title}\n\n${options.message ?? (options.method === 'merge' ? issue.title : issue.body ?? '')}`.trimEnd();
    sha = await git.commitTree(merged.tree, options.method === 'merge' ? [base, head] : [base], `${message}\n`, person, committer);
  }
  // Only if the base did not move meanwhile: a concurrent push makes this a 409 instead of a lost commit.
  await git.updateRef(baseRef, sha, base).catch(() => {
    throw new ApiError(409, 'Base branch was modified. Review and try the merge again.');
  });
  const now = timestamp();
  Object.assign(issue.pull, { merged: true, mergedAt: now, mergeCommitSha: sha, mergedBy: options.by, frozenHeadSha: head });
  Object.assign(issue, { state: 'closed', closedAt: now, closedBy: options.by, updatedAt: now });
  return { sha, before: base };
}
