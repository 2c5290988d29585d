import { ApiError, paginate } from '../http.js';
import { closePull, mergePull, pullGitState, reopenPull, type MergeOptions, type PullIssue } from '../pull-ops.js';
import { diffEntryShape } from '../shapes/git.js';
import { pullShape, pullSimpleShape } from '../shapes/pulls.js';
import { timestamp, type IssueRecord, type RepoRecord } from '../types.js';
import type { Hub } from '../hub.js';
import { actor, bodyOf, created, ok, pullOf, repoOf, text, type Route } from './context.js';

/** GET pulls: `state` (default open), `head` (`owner:branch`), `base`; newest first. */
const listPulls: Route = async (context) => {
  const repo = repoOf(context);
  const { state = 'open', head, base } = context.query;
  const [headOwner, headBranch] = head?.includes(':') ? head.split(/:(.*)/s) : [repo.owner, head];
  const pulls = [...repo.issues.values()]
    .filter((issue): issue is PullIssue => issue.pull !== undefined)
    .filter((issue) => state === 'all' || issue.state === state)
    .filter((issue) => head === undefined || (headOwner?.toLowerCase() === repo.owner.toLowerCase() && issue.pull.headRef === headBranch))
    .filter((issue) => base === undefined || issue.pull.baseRef === base)
    .sort((a, b) => b.number - a.number);
  const { page, headers } = paginate(pulls, context.query, context.url);
  const shapes = await Promise.all(page.map(async (issue) => pullSimpleShape(context.hub, repo, issue, await pullGitState(context.hub, repo, issue, false))));
  return ok(shapes, headers);
};

/** POST pulls, with GitHub's 422s: unknown branches, a pull request that exists already, no commits between. */
const createPull: Route = async (context) => {
  const repo = repoOf(context, 'write');
  const body = bodyOf(context);
  const git = context.hub.git(repo);
  const headRef = text(body.head).replace(/^[^:]+:/, '');
  const baseRef = text(body.base);
  const [head, base] = await Promise.all([git.resolveCommit(`refs/heads/${headRef}`), git.resolveCommit(`refs/heads/${baseRef}`)]);
  const invalid = (field: string): ApiError => new ApiError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', field, code: 'invalid' }] });
  const custom = (message: string): ApiError => new ApiError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', code: 'custom', message }] });
  if (!head) throw invalid('head');
  if (!base) throw invalid('base');
  if ([...repo.issues.values()].some((i) => i.state === 'open' && i.pull?.headRef === headRef && i.pull.baseRef === baseRef)) {
    throw custom(`A pull request already exists for ${repo.owner}:${headRef}.`);
  }
  if ((await git.commitsBetween(head, [base])).length === 0) throw custom(`No commits between ${baseRef} and ${headRef}`);
  const issue = openPull(context.hub, repo, {
    title: text(body.title), body: typeof body.body === 'string' ? body.body : null, headRef, baseRef,
    draft: body.draft === true, maintainerCanModify: body.maintainer_can_modify !== false, user: actor(context),
  });
  await context.events.pullRequest(repo, issue, 'opened', actor(context), 'background');
  return created(pullShape(context.hub, repo, issue, await pullGitState(context.hub, repo, issue, false)));
};

export function openPull(hub: Hub, repo: RepoRecord, pull: { title: string; body: string | null; headRef: string; baseRef: string; draft: boolean; maintainerCanModify: boolean; user: string }): PullIssue {
  const now = timestamp();
  const issue: IssueRecord & { pull: PullIssue['pull'] } = {
    id: hub.state.nextId(), number: repo.nextNumber++, title: pull.title, body: pull.body, state: 'open', stateReason: null, labels: [],
    user: pull.user, createdAt: now, updatedAt: now, closedAt: null, closedBy: null,
    pull: {
      id: hub.state.nextId(), headRef: pull.headRef, baseRef: pull.baseRef, frozenHeadSha: undefined, draft: pull.draft,
      merged: false, mergedAt: null, mergeCommitSha: null, mergedBy: null, maintainerCanModify: pull.maintainerCanModify,
    },
  };
  repo.issues.set(issue.number, issue);
  return issue;
}

const getPull: Route = async (context) => {
  const repo = repoOf(context);
  const issue = pullOf(repo, context.params.pull_number);
  return ok(pullShape(context.hub, repo, issue, await pullGitState(context.hub, repo, issue, true)));
};

/** PATCH pulls/{n}: title, body, base, state; closing and reopening send their webhooks. */
const updatePull: Route = async (context) => {
  const repo = repoOf(context, 'write');
  const issue = pullOf(repo, context.params.pull_number);
  const body = bodyOf(context);
  const who = actor(context);
  if (typeof body.title === 'string') issue.title = body.title;
  if (typeof body.body === 'string') issue.body = body.body;
  if (typeof body.base === 'string') issue.pull.baseRef = body.base;
  if (typeof body.maintainer_can_modify === 'boolean') issue.pull.maintainerCanModify = body.maintainer_can_modify;
  issue.updatedAt = timestamp();
  if (body.state === 'closed' && issue.state === 'open') {
    await closePull(context.hub, repo, issue, who);
    await context.events.pullRequest(repo, issue, 'closed', who, 'background');
  } else if (body.state === 'open' && issue.state === 'closed') {
    await reopenPull(context.hub, repo, issue);
    await context.events.pullRequest(repo, issue, 'reopened', who, 'background');
  } else if (typeof body.title === 'string' || typeof body.body === 'string') {
    await context.events.pullRequest(repo, issue, 'edited', who, 'background');
  }
  return ok(pullShape(context.hub, repo, issue, await pullGitState(context.hub, repo, issue, true)));
};

/** PUT pulls/{n}/merge: a real merge in the bare repository, then `push` and `pull_request.closed`. */
const merge: Route = async (context) => {
  const repo = repoOf(context, 'write');
  const issue = pullOf(repo, context.params.pull_number);
  const body = bodyOf(context);
  const options: MergeOptions = {
    method: (body.merge_method as MergeOptions['method'] | undefined) ?? 'merge', by: actor(context),
    ...(typeof body.sha === 'string' && { sha: body.sha }),
    ...(typeof body.commit_title === 'string' && { title: body.commit_title }),
    ...(typeof body.commit_message === 'string' && { message: body.commit_message }),
  };
  const { sha, before } = await mergePull(context.hub, repo, issue, options);
  await context.events.refsChanged(repo, [{ ref: `refs/heads/${issue.pull.baseRef}`, before, after: sha }], options.by, 'background');
  await context.events.pullRequest(repo, issue, 'closed', options.by, 'background');
  return ok({ sha, merged: true, message: 'Pull Request successfully merged' });
};

/** GitHub lists at most 3,000 files of a pull request. */
const PULL_FILES_CAP = 3000;

/** GET pulls/{n}/files: what the head changes since its merge base with the base branch, paged. */
const listFiles: Route = async (context) => {
  const repo = repoOf(context);
  const issue = pullOf(repo, context.params.pull_number);
  const { headSha: head, baseSha: base } = await pullGitState(context.hub, repo, issue, false);
  const git = context.hub.git(repo);
  const mergeBase = head && base ? await git.mergeBase(base, head) : undefined;
  const files = head ? (await git.diff(mergeBase, head)).slice(0, PULL_FILES_CAP) : [];
  const { page, headers } = paginate(files, context.query, context.url);
  return ok(page.map((file) => diffEntryShape(context.hub.urls, repo, head, file)), headers);
};

export const pullRoutes: Record<string, Route> = {
  'pulls/list': listPulls,
  'pulls/create': createPull,
  'pulls/get': getPull,
  'pulls/update': updatePull,
  'pulls/merge': merge,
  'pulls/list-files': listFiles,
};
