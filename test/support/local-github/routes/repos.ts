import { ApiError, notFound, paginate } from '../http.js';
import { userShape } from '../shapes/account.js';
import { commitShape, contentShape, diffEntryShape } from '../shapes/git.js';
import { releaseShape } from '../shapes/releases.js';
import type { PermissionLevel } from '../types.js';
import { shapeRepo } from './app.js';
import { canRead } from '../auth.js';
import { generateRepo } from '../setup.js';
import { actor, bodyOf, created, ok, repoOf, text, type Route } from './context.js';

const getRepo: Route = (context) => ok(shapeRepo(context, repoOf(context)));

/** GET contents/{path}: a file (base64) or a folder listing, at `ref` or the default branch. */
const getContent: Route = async (context) => {
  const repo = repoOf(context);
  const ref = context.query.ref || repo.defaultBranch;
  const git = context.hub.git(repo);
  const commit = await git.resolveCommit(ref);
  if (!commit) throw new ApiError(404, `No commit found for the ref ${ref}`);
  const path = context.params.path ?? '';
  const content = await git.readPath(commit, path);
  if (!content) throw notFound();
  return ok(contentShape(context.hub.urls, repo, ref, path, content));
};

/**
 * GET collaborators/{username}/permission. `permission` is the legacy level (maintain reads as
 * write, triage as read); `role_name` the actual role, as GitHub reports both.
 */
const getPermission: Route = (context) => {
  const repo = repoOf(context);
  const login = context.params.username ?? '';
  const role: PermissionLevel = login.toLowerCase() === repo.owner.toLowerCase() ? 'admin' : repo.permissions.get(login.toLowerCase()) ?? 'none';
  const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
  const rank = ['none', 'read', 'triage', 'write', 'maintain', 'admin'].indexOf(role);
  const user = context.hub.state.user(login);
  return ok({
    permission, role_name: role,
    user: {
      ...userShape(context.hub.urls, user), role_name: role,
      permissions: { pull: rank >= 1, triage: rank >= 2, push: rank >= 3, maintain: rank >= 4, admin: rank >= 5 },
    },
  });
};

/** GET releases: newest first, drafts only for those who could push (the app's tokens). */
const listReleases: Route = (context) => {
  const repo = repoOf(context);
  const releases = [...repo.releases].reverse().filter((release) => !release.draft || context.caller.kind === 'installation');
  const { page, headers } = paginate(releases, context.query, context.url);
  return ok(page.map((release) => releaseShape(context.hub, repo, release)), headers);
};

/** GET compare/{basehead}: commits and files from the merge base to head. */
const compare: Route = async (context) => {
  const repo = repoOf(context);
  const git = context.hub.git(repo);
  const [baseName = '', headName = ''] = (context.params.basehead ?? '').split('...');
  const strip = (name: string): string => name.replace(/^[^:]+:/, '');
  const [base, head] = await Promise.all([git.resolveCommit(strip(baseName)), git.resolveCommit(strip(headName))]);
  if (!base || !head) throw notFound();
  const mergeBase = await git.mergeBase(base, head);
  if (!mergeBase) throw new ApiError(404, `No common ancestor between ${baseName} and ${headName}.`);
  const ahead = await git.commitsBetween(head, [base]);
  const behind = await git.commitsBetween(base, [head]);
  const files = await git.diff(mergeBase, head);
  const commits = await Promise.all(ahead.slice(0, 250).map(async (sha) => commitShape(context.hub.urls, repo, await git.commitInfo(sha))));
  const status = base === head ? 'identical' : behind.length === 0 ? 'ahead' : ahead.length === 0 ? 'behind' : 'diverged';
  const html = context.hub.urls.repoHtml(repo.owner, repo.name);
  const api = context.hub.urls.repoApi(repo.owner, repo.name);
  return ok({
    url: `${api}/compare/${baseName}...${headName}`, html_url: `${html}/compare/${baseName}...${headName}`,
    permalink_url: `${html}/compare/${repo.owner}:${base.slice(0, 7)}...${repo.owner}:${head.slice(0, 7)}`,
    diff_url: `${html}/compare/${baseName}...${headName}.diff`, patch_url: `${html}/compare/${baseName}...${headName}.patch`,
    base_commit: commitShape(context.hub.urls, repo, await git.commitInfo(base)),
    merge_base_commit: commitShape(context.hub.urls, repo, await git.commitInfo(mergeBase)),
    status, ahead_by: ahead.length, behind_by: behind.length, total_commits: ahead.length, commits,
    files: files.map((file) => diffEntryShape(context.hub.urls, repo, head, file)),
  });
};

/**
 * GET commits: the history from `sha` (default branch when absent), narrowed to the commits that
 * changed `path` when given, newest first and paged as GitHub pages lists.
 */
const listCommits: Route = async (context) => {
  const repo = repoOf(context);
  const git = context.hub.git(repo);
  const ref = context.query.sha || repo.defaultBranch;
  const head = await git.resolveCommit(ref);
  if (!head) throw new ApiError(404, 'Not Found');
  const shas = await git.commitsTouching(head, context.query.path || undefined);
  const { page, headers } = paginate(shas, context.query, context.url);
  return ok(await Promise.all(page.map(async (sha) => commitShape(context.hub.urls, repo, await git.commitInfo(sha)))), headers);
};

/** GET commits/{ref}: one commit with its files against its first parent. */
const getCommit: Route = async (context) => {
  const repo = repoOf(context);
  const git = context.hub.git(repo);
  const ref = context.params.ref ?? '';
  const sha = await git.resolveCommit(ref);
  if (!sha) throw new ApiError(422, `No commit found for SHA: ${ref}`);
  const info = await git.commitInfo(sha);
  return ok(commitShape(context.hub.urls, repo, info, await git.diff(info.parents[0], sha)));
};

/** POST /repos/{template_owner}/{template_repo}/generate: "Use this template", then `repository.created`. */
const createUsingTemplate: Route = async (context) => {
  const { hub, params } = context;
  if (context.caller.kind !== 'installation') throw new ApiError(401, 'Requires authentication');
  const template = hub.state.repo(params.template_owner ?? '', params.template_repo ?? '');
  if (!template || !canRead(context.caller, template, hub.state)) throw notFound();
  if (!template.isTemplate) throw new ApiError(422, `${template.owner}/${template.name} is not a template repository`);
  const body = bodyOf(context);
  const owner = typeof body.owner === 'string' ? body.owner : template.owner;
  const name = text(body.name);
  if (hub.state.repo(owner, name)) throw new ApiError(422, 'Repository creation failed.', { errors: [{ resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' }] });
  const record = await generateRepo(hub, hub.root, template, {
    owner, name, ...(typeof body.private === 'boolean' && { private: body.private }), ...(typeof body.description === 'string' && { description: body.description }),
  });
  await context.events.repositoryCreated(record, actor(context), 'background');
  return created(shapeRepo(context, record));
};

/**
 * GET /orgs/{org}/repos and GET /users/{username}/repos: the account's repositories the caller
 * can see (private ones only with a token that reaches them), oldest first, paged. An account
 * that owns no repository and has no installation does not exist: 404, as GitHub answers.
 */
const listForAccount: Route = (context) => {
  const account = (context.params.org ?? context.params.username ?? '').toLowerCase();
  const { state } = context.hub;
  const known = state.allRepos().some((repo) => repo.owner.toLowerCase() === account)
    || [...state.installations.values()].some((installation) => installation.account.toLowerCase() === account);
  if (!known) throw new ApiError(404, 'Not Found');
  const repos = state.allRepos()
    .filter((repo) => repo.owner.toLowerCase() === account && canRead(context.caller, repo, state))
    .sort((a, b) => a.id - b.id);
  const { page, headers } = paginate(repos, context.query, context.url);
  return ok(page.map((repo) => shapeRepo(context, repo)), headers);
};

export const repoRoutes: Record<string, Route> = {
  'repos/list-for-org': listForAccount,
  'repos/list-for-user': listForAccount,
  'repos/create-using-template': createUsingTemplate,
  'repos/get': getRepo,
  'repos/get-content': getContent,
  'repos/get-collaborator-permission-level': getPermission,
  'repos/list-releases': listReleases,
  'repos/compare-commits-with-basehead': compare,
  'repos/get-commit': getCommit,
  'repos/list-commits': listCommits,
};
