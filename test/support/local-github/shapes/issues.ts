import type { State } from '../state.js';
import type { CommentRecord, IssueRecord, LabelRecord, ReactionRecord, RepoRecord } from '../types.js';
import { userShape } from './account.js';
import { nodeId, type Urls } from './urls.js';

/** What every shape builder needs: where things live and who is who. */
export interface ShapeContext {
  readonly urls: Urls;
  readonly state: State;
}

export function labelShape({ urls }: ShapeContext, repo: RepoRecord, label: LabelRecord): Record<string, unknown> {
  return {
    id: label.id, node_id: nodeId('Label', label.id), url: `${urls.repoApi(repo.owner, repo.name)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name, description: label.description, color: label.color, default: false,
  };
}

export function issueLabels(context: ShapeContext, repo: RepoRecord, names: readonly string[]): Record<string, unknown>[] {
  return names.map((name) => labelShape(context, repo, context.state.label(repo, name)));
}

/** How GitHub describes a person's relation to the repository in issues and comments. */
export function authorAssociation(repo: RepoRecord, login: string): string {
  if (login.toLowerCase() === repo.owner.toLowerCase()) return 'OWNER';
  const level = repo.permissions.get(login.toLowerCase());
  return level && level !== 'none' ? 'COLLABORATOR' : 'NONE';
}

/** `issue`; a pull request's issue carries the `pull_request` key, as GitHub's issue lists do. */
export function issueShape(context: ShapeContext, repo: RepoRecord, issue: IssueRecord): Record<string, unknown> {
  const { urls, state } = context;
  const api = urls.repoApi(repo.owner, repo.name);
  const url = `${api}/issues/${issue.number}`;
  const html = `${urls.repoHtml(repo.owner, repo.name)}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`;
  const comments = [...repo.comments.values()].filter((comment) => comment.issueNumber === issue.number).length;
  return {
    id: issue.id, node_id: nodeId(issue.pull ? 'PullRequestIssue' : 'Issue', issue.id), url, repository_url: api,
    labels_url: `${url}/labels{/name}`, comments_url: `${url}/comments`, events_url: `${url}/events`, html_url: html,
    number: issue.number, state: issue.state, state_reason: issue.stateReason, title: issue.title, body: issue.body,
    user: userShape(urls, state.user(issue.user)), labels: issueLabels(context, repo, issue.labels), assignee: null, assignees: [],
    milestone: null, locked: false, active_lock_reason: null, comments, closed_at: issue.closedAt, created_at: issue.createdAt,
    updated_at: issue.updatedAt, closed_by: issue.closedBy ? userShape(urls, state.user(issue.closedBy)) : null,
    author_association: authorAssociation(repo, issue.user), timeline_url: `${url}/timeline`,
    ...(issue.pull && {
      draft: issue.pull.draft,
      pull_request: { url: `${api}/pulls/${issue.number}`, html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch`, merged_at: issue.pull.mergedAt },
    }),
  };
}

export function commentShape(context: ShapeContext, repo: RepoRecord, comment: CommentRecord): Record<string, unknown> {
  const { urls, state } = context;
  const api = urls.repoApi(repo.owner, repo.name);
  const issue = repo.issues.get(comment.issueNumber);
  const html = `${urls.repoHtml(repo.owner, repo.name)}/${issue?.pull ? 'pull' : 'issues'}/${comment.issueNumber}#issuecomment-${comment.id}`;
  return {
    id: comment.id, node_id: nodeId('IssueComment', comment.id), url: `${api}/issues/comments/${comment.id}`, html_url: html,
    body: comment.body, user: userShape(urls, state.user(comment.user)), created_at: comment.createdAt, updated_at: comment.updatedAt,
    issue_url: `${api}/issues/${comment.issueNumber}`, author_association: authorAssociation(repo, comment.user),
    reactions: reactionRollup(`${api}/issues/comments/${comment.id}/reactions`, comment.reactions),
  };
}

export function reactionShape({ urls, state }: ShapeContext, reaction: ReactionRecord): Record<string, unknown> {
  return { id: reaction.id, node_id: nodeId('Reaction', reaction.id), user: userShape(urls, state.user(reaction.user)), content: reaction.content, created_at: reaction.createdAt };
}

function reactionRollup(url: string, reactions: readonly ReactionRecord[]): Record<string, unknown> {
  const count = (content: string): number => reactions.filter((reaction) => reaction.content === content).length;
  return {
    url, total_count: reactions.length, '+1': count('+1'), '-1': count('-1'), laugh: count('laugh'), confused: count('confused'),
    heart: count('heart'), hooray: count('hooray'), eyes: count('eyes'), rocket: count('rocket'),
  };
}
