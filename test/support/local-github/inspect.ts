import type { Hub } from './hub.js';
import { headSha, isPull } from './pull-ops.js';
import type { IssueRecord, RepoRecord } from './types.js';

/** What a test asserts on: plain copies, so a test cannot change the local GitHub by accident. */
export interface PullSummary {
  readonly number: number;
  readonly state: 'open' | 'closed';
  readonly merged: boolean;
  readonly draft: boolean;
  readonly title: string;
  readonly body: string;
  readonly user: string;
  readonly headRef: string;
  readonly headSha: string;
  readonly baseRef: string;
  readonly labels: string[];
  readonly mergeCommitSha: string | null;
}

export interface IssueSummary {
  readonly number: number;
  readonly state: 'open' | 'closed';
  readonly title: string;
  readonly body: string;
  readonly user: string;
  readonly labels: string[];
  readonly isPull: boolean;
}

export interface CommentSummary {
  readonly id: number;
  readonly issueNumber: number;
  readonly user: string;
  readonly body: string;
  readonly reactions: { user: string; content: string }[];
}

export async function pullSummaries(hub: Hub, repo: RepoRecord): Promise<PullSummary[]> {
  const pulls = [...repo.issues.values()].filter(isPull).sort((a, b) => a.number - b.number);
  return Promise.all(pulls.map(async (issue) => ({
    number: issue.number, state: issue.state, merged: issue.pull.merged, draft: issue.pull.draft, title: issue.title, body: issue.body ?? '',
    user: issue.user, headRef: issue.pull.headRef, headSha: await headSha(hub, repo, issue), baseRef: issue.pull.baseRef,
    labels: [...issue.labels], mergeCommitSha: issue.pull.mergeCommitSha,
  })));
}

export function issueSummary(issue: IssueRecord): IssueSummary {
  return { number: issue.number, state: issue.state, title: issue.title, body: issue.body ?? '', user: issue.user, labels: [...issue.labels], isPull: isPull(issue) };
}

export function commentSummaries(repo: RepoRecord, issueNumber?: number): CommentSummary[] {
  return [...repo.comments.values()]
    .filter((comment) => issueNumber === undefined || comment.issueNumber === issueNumber)
    .sort((a, b) => a.id - b.id)
    .map((comment) => ({ id: comment.id, issueNumber: comment.issueNumber, user: comment.user, body: comment.body, reactions: comment.reactions.map(({ user, content }) => ({ user, content })) }));
}
