import type { Caller } from '../auth.js';
import { canRead } from '../auth.js';
import type { Events } from '../events.js';
import { ApiError, notFound, type ApiResponse } from '../http.js';
import type { Hub } from '../hub.js';
import { isPull, type PullIssue } from '../pull-ops.js';
import type { IssueRecord, RepoRecord } from '../types.js';

/** One API request, already matched to its operation and validated against GitHub's description. */
export interface RouteContext {
  readonly hub: Hub;
  readonly events: Events;
  /** Path parameters, decoded (`path` and `ref` may hold slashes). */
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly caller: Caller;
  /** The full request URL, for Link headers. */
  readonly url: URL;
}

export type Route = (context: RouteContext) => ApiResponse | Promise<ApiResponse>;

/**
 * The repository named by the path, if the caller may see it (GitHub answers 404, not 403, for
 * a repository a token does not reach). Writes need a token and an unarchived repository.
 */
export function repoOf(context: RouteContext, access: 'read' | 'write' = 'read'): RepoRecord {
  const { hub, params, caller } = context;
  const repo = hub.state.repo(params.owner ?? '', params.repo ?? '');
  if (!repo || !canRead(caller, repo, hub.state)) throw notFound();
  if (access === 'write') {
    if (caller.kind !== 'installation') throw new ApiError(401, 'Requires authentication');
    if (repo.archived) throw new ApiError(403, 'Repository was archived so is read-only.');
  }
  return repo;
}

export function issueOf(repo: RepoRecord, number: string | undefined): IssueRecord {
  const issue = repo.issues.get(Number(number));
  if (!issue) throw notFound();
  return issue;
}

export function pullOf(repo: RepoRecord, number: string | undefined): PullIssue {
  const issue = repo.issues.get(Number(number));
  if (!isPull(issue)) throw notFound();
  return issue;
}

/** Who the caller acts as: the app's bot for an installation token. */
export function actor(context: RouteContext): string {
  return context.caller.kind === 'installation' ? context.hub.botLogin : 'ghost';
}

/** The request body as an object (validation has already checked its shape). */
export function bodyOf(context: RouteContext): Record<string, unknown> {
  return context.body && typeof context.body === 'object' && !Array.isArray(context.body) ? context.body as Record<string, unknown> : {};
}

export const ok = (body: unknown, headers: Record<string, string> = {}): ApiResponse => ({ status: 200, body, headers });
export const created = (body: unknown): ApiResponse => ({ status: 201, body });
export const noContent = (): ApiResponse => ({ status: 204 });

/** A body field as text: validation let through a string (or, for titles, a number). */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}
