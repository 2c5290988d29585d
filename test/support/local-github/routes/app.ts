import { ApiError, notFound, paginate } from '../http.js';
import { repoShape } from '../shapes/account.js';
import { repoKey, timestamp, type RepoRecord } from '../types.js';
import type { Hub } from '../hub.js';
import { bodyOf, ok, type Route, type RouteContext } from './context.js';

const LEVEL = { read: 1, write: 2, admin: 3 } as const;

/** POST /app/installations/{installation_id}/access_tokens: a token for some or all of the installation's repositories. */
const createInstallationToken: Route = (context) => {
  const { hub, params } = context;
  if (context.caller.kind !== 'app') throw new ApiError(401, 'A JSON web token could not be decoded');
  const installation = hub.state.installations.get(Number(params.installation_id));
  if (!installation) throw notFound();
  const reachable = hub.state.installationRepos(installation);
  const body = bodyOf(context);
  const names = (body.repositories as string[] | undefined) ?? [];
  const ids = (body.repository_ids as number[] | undefined) ?? [];
  const chosen = reachable.filter((repo) => names.some((name) => name.toLowerCase() === repo.name.toLowerCase()) || ids.includes(repo.id));
  if (chosen.length !== new Set([...names.map((n) => n.toLowerCase()), ...ids.map(String)]).size) {
    throw new ApiError(422, 'There is at least one repository that does not exist or is not accessible to the parent installation.');
  }
  const requested = (body.permissions as Record<string, string> | undefined) ?? installation.permissions;
  for (const [name, level] of Object.entries(requested)) {
    const granted = installation.permissions[name];
    if (!granted || (LEVEL[level as keyof typeof LEVEL] ?? 0) > (LEVEL[granted as keyof typeof LEVEL] ?? 0)) {
      throw new ApiError(422, 'The permissions requested are not granted to this installation.');
    }
  }
  const selected = names.length + ids.length > 0;
  const token = hub.state.mintToken(installation.id, selected ? new Set(chosen.map((repo) => repoKey(repo.owner, repo.name))) : 'all', { ...requested });
  return {
    status: 201,
    body: {
      token: token.token, expires_at: timestamp(token.expiresAt), permissions: token.permissions,
      repository_selection: selected ? 'selected' : installation.repositories === 'all' ? 'all' : 'selected',
      ...(selected && { repositories: chosen.map((repo) => shapeRepo(context, repo)) }),
    },
  };
};

/** GET /installation/repositories: what the calling token reaches, paged. */
const listInstallationRepos: Route = (context) => {
  const { hub, caller } = context;
  if (caller.kind !== 'installation') throw new ApiError(403, 'You must authenticate with an installation access token in order to list repositories for an installation.');
  const installation = hub.state.installations.get(caller.token.installationId)!;
  const repos = hub.state.installationRepos(installation).filter((repo) => hub.state.tokenReaches(caller.token, repo)).sort((a, b) => a.id - b.id);
  const { page, headers } = paginate(repos, context.query, context.url);
  return ok({
    total_count: repos.length,
    repository_selection: caller.token.repositories === 'all' && installation.repositories === 'all' ? 'all' : 'selected',
    repositories: page.map((repo) => shapeRepo(context, repo)),
  }, headers);
};

export function shapeRepo({ hub }: RouteContext, repo: RepoRecord): Record<string, unknown> {
  return { ...repoWithoutTemplate(hub, repo), template_repository: templateShape(hub, repo) };
}

/** `template_repository`: the repository it was generated from, when GitHub still has it and the reader may see it (null otherwise). */
export function templateShape(hub: Hub, repo: RepoRecord): Record<string, unknown> | null {
  const template = repo.templateRepository && hub.state.repo(repo.templateRepository.owner, repo.templateRepository.name);
  return template ? repoWithoutTemplate(hub, template) : null;
}

function repoWithoutTemplate(hub: Hub, repo: RepoRecord): Record<string, unknown> {
  const openIssues = [...repo.issues.values()].filter((issue) => issue.state === 'open').length;
  return repoShape(hub.urls, repo, hub.state.user(repo.owner), openIssues);
}

export const appRoutes: Record<string, Route> = {
  'apps/create-installation-access-token': createInstallationToken,
  'apps/list-repos-accessible-to-installation': listInstallationRepos,
};
