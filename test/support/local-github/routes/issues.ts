import { ApiError, paginate } from '../http.js';
import { closePull, isPull, reopenPull } from '../pull-ops.js';
import { commentShape, issueLabels, issueShape, reactionShape } from '../shapes/issues.js';
import { timestamp, type CommentRecord, type IssueRecord, type RepoRecord } from '../types.js';
import type { Hub } from '../hub.js';
import { actor, bodyOf, created, issueOf, ok, repoOf, text, type Route } from './context.js';

/** GET issues: `state` (default open), `labels` (comma-separated, all must match); pull requests included, newest first. */
const listIssues: Route = (context) => {
  const repo = repoOf(context);
  const { state = 'open', labels } = context.query;
  const wanted = labels ? labels.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean) : [];
  const issues = [...repo.issues.values()]
    .filter((issue) => state === 'all' || issue.state === state)
    .filter((issue) => wanted.every((name) => issue.labels.some((label) => label.toLowerCase() === name)))
    .sort((a, b) => b.number - a.number);
  const { page, headers } = paginate(issues, context.query, context.url);
  return ok(page.map((issue) => issueShape(context.hub, repo, issue)), headers);
};

const createIssue: Route = async (context) => {
  const repo = repoOf(context, 'write');
  const body = bodyOf(context);
  const issue = openIssue(context.hub, repo, { title: text(body.title), body: typeof body.body === 'string' ? body.body : null, labels: labelNames(body.labels), user: actor(context) });
  await context.events.issue(repo, issue, 'opened', actor(context), 'background');
  return created(issueShape(context.hub, repo, issue));
};

export function openIssue(hub: Hub, repo: RepoRecord, fields: { title: string; body: string | null; labels: string[]; user: string }): IssueRecord {
  const now = timestamp();
  const issue: IssueRecord = {
    id: hub.state.nextId(), number: repo.nextNumber++, title: fields.title, body: fields.body, state: 'open', stateReason: null,
    labels: setLabels(hub, repo, fields.labels), user: fields.user, createdAt: now, updatedAt: now, closedAt: null, closedBy: null,
  };
  repo.issues.set(issue.number, issue);
  return issue;
}

/** PATCH issues/{n}: title, body, labels (replaced), state; works on pull requests' numbers too, as on GitHub. */
const updateIssue: Route = async (context) => {
  const repo = repoOf(context, 'write');
  const issue = issueOf(repo, context.params.issue_number);
  const body = bodyOf(context);
  const who = actor(context);
  if (body.title !== undefined && body.title !== null) issue.title = text(body.title);
  if (body.body !== undefined) issue.body = typeof body.body === 'string' ? body.body : null;
  if (Array.isArray(body.labels)) issue.labels = setLabels(context.hub, repo, labelNames(body.labels));
  issue.updatedAt = timestamp();
  if (body.state === 'closed' && issue.state === 'open') {
    if (isPull(issue)) await closePull(context.hub, repo, issue, who);
    else Object.assign(issue, { state: 'closed', stateReason: body.state_reason ?? 'completed', closedAt: timestamp(), closedBy: who });
    await context.events.issue(repo, issue, 'closed', who, 'background');
  } else if (body.state === 'open' && issue.state === 'closed') {
    if (isPull(issue)) await reopenPull(context.hub, repo, issue);
    else Object.assign(issue, { state: 'open', stateReason: 'reopened', closedAt: null, closedBy: null });
    await context.events.issue(repo, issue, 'reopened', who, 'background');
  }
  return ok(issueShape(context.hub, repo, issue));
};

const addLabels: Route = (context) => {
  const repo = repoOf(context, 'write');
  const issue = issueOf(repo, context.params.issue_number);
  const body = context.body;
  const names = labelNames(Array.isArray(body) ? body : bodyOf(context).labels);
  issue.labels = setLabels(context.hub, repo, [...issue.labels, ...names]);
  return ok(issueLabels(context.hub, repo, issue.labels));
};

const removeLabel: Route = (context) => {
  const repo = repoOf(context, 'write');
  const issue = issueOf(repo, context.params.issue_number);
  const name = (context.params.name ?? '').toLowerCase();
  if (!issue.labels.some((label) => label.toLowerCase() === name)) throw new ApiError(404, 'Label does not exist');
  issue.labels = issue.labels.filter((label) => label.toLowerCase() !== name);
  return ok(issueLabels(context.hub, repo, issue.labels));
};

const listComments: Route = (context) => {
  const repo = repoOf(context);
  const issue = issueOf(repo, context.params.issue_number);
  const comments = [...repo.comments.values()].filter((comment) => comment.issueNumber === issue.number).sort((a, b) => a.id - b.id);
  const { page, headers } = paginate(comments, context.query, context.url);
  return ok(page.map((comment) => commentShape(context.hub, repo, comment)), headers);
};

/** POST comments. GitHub sends `issue_comment.created` for the app's own comments too; so does this. */
const createComment: Route = async (context) => {
  const repo = repoOf(context, 'write');
  const issue = issueOf(repo, context.params.issue_number);
  const comment = addComment(context.hub, repo, issue, actor(context), text(bodyOf(context).body));
  await context.events.commentCreated(repo, comment, 'background');
  return created(commentShape(context.hub, repo, comment));
};

export function addComment(hub: Hub, repo: RepoRecord, issue: IssueRecord, user: string, body: string): CommentRecord {
  const now = timestamp();
  const comment: CommentRecord = { id: hub.state.nextId(), issueNumber: issue.number, body, user, createdAt: now, updatedAt: now, reactions: [] };
  repo.comments.set(comment.id, comment);
  issue.updatedAt = now;
  return comment;
}

/** POST issues/comments/{id}/reactions: 201 for a new reaction, 200 when this user already reacted so. */
const react: Route = (context) => {
  const repo = repoOf(context, 'write');
  const comment = repo.comments.get(Number(context.params.comment_id));
  if (!comment) throw new ApiError(404, 'Not Found');
  const content = text(bodyOf(context).content);
  const user = actor(context);
  const existing = comment.reactions.find((reaction) => reaction.content === content && reaction.user === user);
  if (existing) return ok(reactionShape(context.hub, existing));
  const reaction = { id: context.hub.state.nextId(), content, user, createdAt: timestamp() };
  comment.reactions.push(reaction);
  return created(reactionShape(context.hub, reaction));
};

/** Label names from any of the accepted forms: strings, or objects with `name`. */
function labelNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => (typeof item === 'string' ? item : text((item as { name?: unknown }).name))).filter(Boolean);
}

/** The issue's label list without duplicates, each label created in the repository when new. */
function setLabels(hub: Hub, repo: RepoRecord, names: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const name of names) if (!seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), hub.state.label(repo, name).name);
  return [...seen.values()];
}

export const issueRoutes: Record<string, Route> = {
  'issues/list-for-repo': listIssues,
  'issues/create': createIssue,
  'issues/update': updateIssue,
  'issues/add-labels': addLabels,
  'issues/remove-label': removeLabel,
  'issues/list-comments': listComments,
  'issues/create-comment': createComment,
  'reactions/create-for-issue-comment': react,
};
