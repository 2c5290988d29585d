import { ApiError, notFound, paginate } from '../http.js';
import { installationShape, repoShape } from '../shapes/account.js';
import { failed, type Delivery } from '../webhooks.js';
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

/** GET /app/installations: every installation of the app (app JWT). */
const listInstallations: Route = (context) => {
  const { hub } = context;
  requireApp(context);
  const installations = [...hub.state.installations.values()].sort((a, b) => a.id - b.id).map((installation) => {
    const shape = installationShape(hub.urls, installation, hub.state.user(installation.account), hub.app.id, hub.app.slug);
    // The description joins "Simple User" and "Enterprise" with allOf for this list's `account`,
    // so an account must carry an enterprise's fields too to fit it (GitHub sends a user).
    const account = shape.account as Record<string, unknown>;
    return { ...shape, account: { ...account, name: account.login, slug: account.login, created_at: installation.createdAt, updated_at: installation.createdAt } };
  });
  const { page, headers } = paginate(installations, context.query, context.url);
  return ok(page, headers);
};

/**
 * GET /app/hook/deliveries: every attempt the local GitHub has finished, newest first, paged by
 * `cursor` as GitHub pages this list (the Link header's next page names it); `status` narrows to
 * `success` or `failure`.
 */
const listDeliveries: Route = (context) => {
  const { hub, query } = context;
  requireApp(context);
  const perPage = Math.min(Math.max(Number(query.per_page ?? 30) || 30, 1), 100);
  const before = /^v1_(\d+)$/.exec(query.cursor ?? '')?.[1];
  const finished = hub.webhooks.deliveries()
    .filter((delivery) => delivery.status !== undefined || delivery.error !== undefined)
    .filter((delivery) => query.status === undefined || (query.status === 'failure') === failed(delivery))
    .filter((delivery) => before === undefined || delivery.number < Number(before))
    .sort((a, b) => b.number - a.number);
  const page = finished.slice(0, perPage);
  const last = page.at(-1);
  const headers: Record<string, string> = {};
  if (last && finished.length > perPage) {
    const next = new URL(context.url);
    next.searchParams.set('per_page', String(perPage));
    next.searchParams.set('cursor', `v1_${last.number}`);
    headers.link = `<${next.toString()}>; rel="next"`;
  }
  return ok(page.map(deliveryShape), headers);
};

/** POST /app/hook/deliveries/{delivery_id}/attempts: 202 at once; the event is sent again in the background. */
const redeliver: Route = (context) => {
  requireApp(context);
  if (!context.hub.webhooks.redeliverInBackground(Number(context.params.delivery_id))) throw notFound();
  return { status: 202, body: {} };
};

function deliveryShape(delivery: Delivery): Record<string, unknown> {
  const status = delivery.status === undefined ? 'failed to connect' : failed(delivery) ? `Invalid HTTP Response: ${delivery.status}` : 'OK';
  return {
    id: delivery.number, guid: delivery.id, delivered_at: timestamp(delivery.deliveredAt), redelivery: delivery.redelivery,
    duration: delivery.duration ?? 0, status, status_code: delivery.status ?? 0, event: delivery.event, action: delivery.action ?? null,
    installation_id: delivery.installationId, repository_id: delivery.repositoryId, throttled_at: null,
  };
}

function requireApp(context: RouteContext): void {
  if (context.caller.kind !== 'app') throw new ApiError(401, 'A JSON web token could not be decoded');
}

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
  'apps/list-installations': listInstallations,
  'apps/list-webhook-deliveries': listDeliveries,
  'apps/redeliver-webhook-delivery': redeliver,
};
