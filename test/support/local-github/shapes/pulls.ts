import type { IssueRecord, PullRecord, RepoRecord } from '../types.js';
import { repoShape, userShape } from './account.js';
import { authorAssociation, issueLabels, type ShapeContext } from './issues.js';
import { nodeId } from './urls.js';

/** What a pull request's shape needs from git, resolved by the caller. */
export interface PullGitState {
  readonly headSha: string;
  readonly baseSha: string;
  /** Only the single-pull endpoint reports mergeability. */
  readonly mergeable?: boolean | null;
  readonly stats?: { readonly commits: number; readonly additions: number; readonly deletions: number; readonly changedFiles: number };
}

/** `pull-request-simple`: what pull request lists return. */
export function pullSimpleShape(context: ShapeContext, repo: RepoRecord, issue: IssueRecord & { pull: PullRecord }, git: PullGitState): Record<string, unknown> {
  const { urls, state } = context;
  const { pull } = issue;
  const api = urls.repoApi(repo.owner, repo.name);
  const url = `${api}/pulls/${issue.number}`;
  const html = `${urls.repoHtml(repo.owner, repo.name)}/pull/${issue.number}`;
  const issueUrl = `${api}/issues/${issue.number}`;
  const owner = state.user(repo.owner);
  const openIssues = [...repo.issues.values()].filter((i) => i.state === 'open').length;
  const side = (ref: string, sha: string): Record<string, unknown> => ({
    label: `${repo.owner}:${ref}`, ref, sha, user: userShape(urls, owner), repo: repoShape(urls, repo, owner, openIssues),
  });
  return {
    url, id: pull.id, node_id: nodeId('PullRequest', pull.id), html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch`,
    issue_url: issueUrl, commits_url: `${url}/commits`, review_comments_url: `${url}/comments`, review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`, statuses_url: `${api}/statuses/${git.headSha}`, number: issue.number, state: issue.state,
    locked: false, title: issue.title, user: userShape(urls, state.user(issue.user)), body: issue.body,
    labels: issueLabels(context, repo, issue.labels), milestone: null, active_lock_reason: null, created_at: issue.createdAt,
    updated_at: issue.updatedAt, closed_at: issue.closedAt, merged_at: pull.mergedAt, merge_commit_sha: pull.mergeCommitSha,
    assignee: null, assignees: [], requested_reviewers: [], requested_teams: [],
    head: side(pull.headRef, git.headSha), base: side(pull.baseRef, git.baseSha),
    _links: {
      self: { href: url }, html: { href: html }, issue: { href: issueUrl }, comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` }, review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` }, statuses: { href: `${api}/statuses/${git.headSha}` },
    },
    author_association: authorAssociation(repo, issue.user), auto_merge: null, draft: pull.draft,
  };
}

/** `pull-request`: one pull request, with merge state and counts. */
export function pullShape(context: ShapeContext, repo: RepoRecord, issue: IssueRecord & { pull: PullRecord }, git: PullGitState): Record<string, unknown> {
  const { pull } = issue;
  const comments = [...repo.comments.values()].filter((comment) => comment.issueNumber === issue.number).length;
  const mergeable = pull.merged || issue.state === 'closed' ? null : git.mergeable ?? null;
  return {
    ...pullSimpleShape(context, repo, issue, git),
    merged: pull.merged, mergeable, rebaseable: mergeable,
    mergeable_state: mergeable === null ? 'unknown' : mergeable ? 'clean' : 'dirty',
    merged_by: pull.mergedBy ? userShape(context.urls, context.state.user(pull.mergedBy)) : null,
    comments, review_comments: 0, maintainer_can_modify: pull.maintainerCanModify,
    commits: git.stats?.commits ?? 0, additions: git.stats?.additions ?? 0, deletions: git.stats?.deletions ?? 0, changed_files: git.stats?.changedFiles ?? 0,
  };
}
