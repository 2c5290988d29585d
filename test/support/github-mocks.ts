import nock from 'nock';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { createTestApp, recordedPayload, useNock, type TestApp } from './app-harness.js';
import { contentJson, contentsPath, github, INSTALLATION_TOKEN, mockTokens, pullJson, repoJson, type PullJsonInput } from './github-nock.js';
import type { BareRepo, ServiceFixture, TemplateFixture } from './service-fleet.js';
import { git } from './temp-repo.js';

/**
 * Reusable nock sequences for the GitHub App's tests, one per thing the app asks GitHub, so a
 * test reads as the list of calls it expects. Every request is recorded (method, path, body)
 * so tests assert on what the app sent rather than on callbacks.
 */

export const TEMPLATE = { owner: 'acme', repo: 'service-template' };
export const ANSWERS_PATH = '.github/template-drift.yml';
export const CRUFT_PATH = '.cruft.json';
export const UPDATE_BRANCH = 'template-drift/update';
export const ISSUE_TITLE = 'Template drift: action required';

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

const sent: SentRequest[] = [];
const unmatched: string[] = [];
const jobErrors: unknown[] = [];
let tokensMocked = false;

function onNoMatch(req: { method?: string; path?: string; href?: string }): void {
  unmatched.push(`${req.method ?? '?'} ${req.path ?? req.href ?? '?'}`);
}

/**
 * useNock() (no network, every mock used) plus three checks after each test: no request went
 * unmocked (the app swallows a failed job, so a missing mock would otherwise pass silently), no
 * queued job failed unless the test took its error, and the installation token is in no request body.
 */
export function useGitHub(): void {
  beforeEach(() => {
    sent.length = 0;
    unmatched.length = 0;
    jobErrors.length = 0;
    tokensMocked = false;
    nock.emitter.removeListener('no match', onNoMatch);
    nock.emitter.on('no match', onNoMatch);
  });
  // Registered before useNock's, so it runs after it (vitest runs after-hooks in reverse):
  // nock is cleaned up even when one of these checks fails.
  afterEach(() => {
    nock.emitter.removeListener('no match', onNoMatch);
    expect(unmatched, 'every GitHub call must be mocked').toEqual([]);
    expect(jobErrors.map(String), 'no queued job may fail unless the test takes its error').toEqual([]);
    const forms = [INSTALLATION_TOKEN, Buffer.from(INSTALLATION_TOKEN).toString('base64'), Buffer.from(`x-access-token:${INSTALLATION_TOKEN}`).toString('base64')];
    const leaks = sent.filter((request) => forms.some((form) => request.body.includes(form)));
    expect(leaks, 'the installation token must never be sent to GitHub in a body').toEqual([]);
  });
  useNock();
}

/** The app, with the errors of its failed queued jobs collected (see takeJobErrors). */
export async function startApp(options: Parameters<typeof createTestApp>[0] = {}): Promise<TestApp> {
  const app = await createTestApp(options);
  // The harness logs nothing below fatal, so nothing is lost by not passing the call on.
  vi.spyOn(app.probot.log, 'error').mockImplementation((fields: unknown) => {
    const failure = fields as { job?: unknown; err?: unknown } | null;
    if (failure?.job) jobErrors.push(failure.err);
  });
  return app;
}

/** The failed jobs' errors so far; taking them tells the after-test check they were expected. */
export function takeJobErrors(): unknown[] {
  return jobErrors.splice(0);
}

/** Every request the app sent to GitHub in this test, in order. */
export function sentRequests(): readonly SentRequest[] {
  return sent;
}

/** The JSON bodies of the requests that match, in order. */
export function sentBodies(method: string, path: string | RegExp): Record<string, unknown>[] {
  return sent
    .filter((request) => request.method === method && (typeof path === 'string' ? request.path.split('?')[0] === path : path.test(request.path)))
    .map((request) => (request.body ? JSON.parse(request.body) as Record<string, unknown> : {}));
}

const COMMENT_MARKER = /\n\n<!-- template-drift-comment [0-9a-f-]{36} -->$/;

/**
 * The texts of the comments the app posted on issue or PR `number`, without the hidden marker
 * each carries (it lets the app find a comment GitHub made but answered with a 5xx); a comment
 * without its marker fails the test.
 */
export function commentsSent(repo: RepoRef, number: number): string[] {
  return sentBodies('POST', `/repos/${repo.owner}/${repo.repo}/issues/${number}/comments`).map((comment) => {
    const body = String(comment.body);
    expect(body, 'every comment the app writes carries its hidden marker').toMatch(COMMENT_MARKER);
    return body.replace(COMMENT_MARKER, '');
  });
}

/**
 * A scope for the test's mocks, plus the installation tokens in a scope of their own: nock's
 * `persist()` applies to a whole scope, so chaining on mockTokens' scope would make every mock
 * after it persistent (no call counts, and a second reply for the same path never used).
 */
export function mockGitHub(): nock.Scope {
  // Probot caches the installation token for the app's life, so one tokens scope per test.
  if (!tokensMocked) record(mockTokens(github()));
  tokensMocked = true;
  return record(github());
}

function record(scope: nock.Scope): nock.Scope {
  scope.on('request', (req: { method: string; path: string }, _interceptor: unknown, body: string | undefined) => {
    sent.push({ method: req.method, path: req.path, body: body ?? '' });
  });
  return scope;
}

// --- Payloads ----------------------------------------------------------------------------------

export function releasePayload(tag: string, options: { prerelease?: boolean; repo?: RepoRef } = {}): Record<string, unknown> {
  const payload = recordedPayload('release', 'published', options.repo ?? TEMPLATE);
  Object.assign(payload.release as object, { tag_name: tag, name: tag, prerelease: options.prerelease ?? false, draft: false });
  return payload;
}

export function commentPayload(repo: RepoRef, body: string, options: { action?: 'created' | 'edited'; login?: string; bot?: boolean; issue?: number } = {}): Record<string, unknown> {
  const payload = recordedPayload('issue_comment', options.action ?? 'created', repo);
  const comment = payload.comment as { body: string; id: number; user: { login: string; type: string } };
  const issue = payload.issue as { number: number };
  comment.body = body;
  if (options.login) comment.user.login = options.login;
  if (options.bot) comment.user.type = 'Bot';
  if (options.issue !== undefined) issue.number = options.issue;
  return payload;
}

/**
 * A push of one commit that modified `changed` (the recorded one is a push to `master`): to the
 * default branch unless `ref` says otherwise; `added` lists files the commit created.
 */
export function pushPayload(repo: RepoRef, changed: string[], options: { ref?: string; added?: string[] } = {}): Record<string, unknown> {
  const payload = recordedPayload('push', undefined, repo, 4);
  payload.ref = options.ref ?? 'refs/heads/main';
  const [commit] = payload.commits as { added: string[]; modified: string[]; removed: string[] }[];
  Object.assign(commit!, { added: options.added ?? [], modified: changed, removed: [] });
  return payload;
}

type ListedRepository = { id: number; name: string; full_name: string };

/** The recorded entry's shape (id, node_id, name, full_name, private), once per repository of ours. */
function listed(recorded: ListedRepository[], repos: readonly RepoRef[]): ListedRepository[] {
  const [shape] = recorded;
  return repos.map((repo, index) => ({ ...shape!, id: shape!.id + index + 1, name: repo.repo, full_name: `${repo.owner}/${repo.repo}` }));
}

/** The app installed on an account (`installation.created`), with access to `repos`. */
export function installationPayload(repos: readonly RepoRef[]): Record<string, unknown> {
  const payload = recordedPayload('installation', 'created', TEMPLATE, 1);
  payload.repositories = listed(payload.repositories as ListedRepository[], repos);
  return payload;
}

/** Repositories added to an existing installation (`installation_repositories.added`). */
export function repositoriesAddedPayload(repos: readonly RepoRef[]): Record<string, unknown> {
  const payload = recordedPayload('installation_repositories', 'added', TEMPLATE);
  payload.repositories_added = listed(payload.repositories_added as ListedRepository[], repos);
  return payload;
}

export function commentId(payload: Record<string, unknown>): number {
  return (payload.comment as { id: number }).id;
}

// --- Repositories -------------------------------------------------------------------------------

export interface MockRepo extends RepoRef {
  /** GET /repos/{owner}/{repo} as GitHub answers it. */
  readonly json: ReturnType<typeof repoJson>;
  /** The answers file GitHub's contents API returns (undefined: none). */
  readonly answers: string | undefined;
  /** The commits that changed the answers file on the default branch, newest first, with its text at each. */
  readonly history?: readonly AnswersVersion[];
}

export interface AnswersVersion {
  readonly sha: string;
  readonly text: string;
}

export async function serviceRepo(name: string, service: ServiceFixture | undefined, answers?: string): Promise<MockRepo> {
  const text = answers ?? (service ? await service.bare.show('main', ANSWERS_PATH) : undefined);
  return {
    owner: 'acme', repo: name, json: repoJson('acme', name, service?.bare.url ?? `file:///nonexistent/acme/${name}.git`), answers: text,
    ...(service && answers === undefined && { history: await answersHistory(service) }),
  };
}

/** The answers file's history as GitHub's commits API would list it (`git log -- path`). */
async function answersHistory(service: ServiceFixture): Promise<AnswersVersion[]> {
  const shas = (await git(service.bare.dir, 'log', '--format=%H', 'main', '--', ANSWERS_PATH)).split('\n').filter(Boolean);
  return Promise.all(shas.map(async (sha) => ({ sha, text: await service.bare.show(sha, ANSWERS_PATH) })));
}

/** The template repository as GitHub describes it; its clone URL is the bare repository it is served from. */
export function templateRepo(served: TemplateFixture | { url: string }): MockRepo {
  const url = 'bare' in served ? served.bare.url : served.url;
  return { ...TEMPLATE, json: repoJson(TEMPLATE.owner, TEMPLATE.repo, url), answers: undefined };
}

// --- Single calls -------------------------------------------------------------------------------

export function mockRepository(scope: nock.Scope, repo: MockRepo, times = 1): void {
  scope.get(`/repos/${repo.owner}/${repo.repo}`).times(times).reply(200, repo.json);
}

export function mockAnswers(scope: nock.Scope, repo: MockRepo, times = 1): void {
  if (repo.answers === undefined) return mockNoAnswers(scope, repo, times);
  scope.get(contentsPath(repo.owner, repo.repo, ANSWERS_PATH)).times(times).reply(200, contentJson(ANSWERS_PATH, repo.answers));
}

/** The native answers file at an open update PR's head (`pullJson`'s head sha): the file the PR updates. */
export function mockAnswersAtPullHead(scope: nock.Scope, repo: RepoRef, text: string): void {
  scope.get(contentsPath(repo.owner, repo.repo, ANSWERS_PATH)).query({ ref: 'a'.repeat(40) }).reply(200, contentJson(ANSWERS_PATH, text));
}

/** A repository with neither answers file: no `.github/template-drift.yml`, and no cruft's `.cruft.json` either. */
export function mockNoAnswers(scope: nock.Scope, repo: RepoRef, times = 1): void {
  scope.get(contentsPath(repo.owner, repo.repo, ANSWERS_PATH)).times(times).reply(404, { message: 'Not Found' });
  scope.get(contentsPath(repo.owner, repo.repo, CRUFT_PATH)).times(times).reply(404, { message: 'Not Found' });
}

/**
 * GET /commits?path= for the answers file, one page, and the earlier versions the app reads:
 * walking back from the newest, each one up to and including the first that records another
 * `commit` (the head's own version it already has from its clone).
 */
export function mockAnswersHistory(scope: nock.Scope, repo: MockRepo): void {
  const history = repo.history ?? [];
  scope.get(`/repos/${repo.owner}/${repo.repo}/commits`)
    .query((query) => query.path === ANSWERS_PATH && query.per_page === '20' && typeof query.sha === 'string')
    .reply(200, history.map(({ sha }) => ({ sha, commit: { message: 'change the answers' } })));
  const recordOf = (text: string) => /^commit: (.*)$/m.exec(text)?.[1] ?? /^version: (.*)$/m.exec(text)?.[1];
  const newest = history[0] && recordOf(history[0].text);
  for (const version of history.slice(1)) {
    scope.get(contentsPath(repo.owner, repo.repo, ANSWERS_PATH, version.sha)).reply(200, contentJson(ANSWERS_PATH, version.text));
    if (recordOf(version.text) !== newest) break;
  }
}

export function mockPulls(scope: nock.Scope, repo: RepoRef, state: 'open' | 'closed', pulls: PullJsonInput[] = []): void {
  scope.get(`/repos/${repo.owner}/${repo.repo}/pulls`)
    .query({ state, head: `${repo.owner}:${UPDATE_BRANCH}`, per_page: '100' })
    .reply(200, pulls.map(pullJson));
}

export function mockReleaseNotes(scope: nock.Scope, tags: string[] = ['v1.0.0', 'v1.1.0']): void {
  scope.get(`/repos/${TEMPLATE.owner}/${TEMPLATE.repo}/releases`).query(true).reply(200, tags.map((tag) => ({
    tag_name: tag, name: tag, body: `Notes for ${tag}`, html_url: `https://github.com/acme/service-template/releases/${tag}`, prerelease: false, draft: false,
  })));
}

export interface IssueJsonInput {
  readonly number: number;
  readonly state?: 'open' | 'closed';
  readonly body?: string;
}

export function mockIssues(scope: nock.Scope, repo: RepoRef, issues: IssueJsonInput[] = []): void {
  scope.get(`/repos/${repo.owner}/${repo.repo}/issues`).query({ state: 'all', labels: 'template-drift', per_page: '100' })
    .reply(200, issues.map((issue) => issueJson(repo, issue)));
}

export function issueJson(repo: RepoRef, issue: IssueJsonInput) {
  return {
    number: issue.number, title: ISSUE_TITLE, state: issue.state ?? 'open', body: issue.body ?? 'an earlier problem',
    html_url: `https://github.com/${repo.owner}/${repo.repo}/issues/${issue.number}`, labels: [{ name: 'template-drift' }],
  };
}

/** POST /pulls answered as GitHub does (the created PR, echoing what was sent). */
export function mockCreatePull(scope: nock.Scope, repo: RepoRef, number: number): void {
  scope.post(`/repos/${repo.owner}/${repo.repo}/pulls`)
    .reply(201, (_uri, body) => pullJson({ number, ...repo, ...(body as object) }));
}

/** PATCH /pulls/{n} answered with the PR as it is after the change. */
export function mockUpdatePull(scope: nock.Scope, pull: PullJsonInput): void {
  scope.patch(`/repos/${pull.owner}/${pull.repo}/pulls/${pull.number}`)
    .reply(200, (_uri, body) => pullJson({ ...pull, ...(body as object) }));
}

export function mockAddLabels(scope: nock.Scope, repo: RepoRef, number: number, labels: string[]): void {
  scope.post(`/repos/${repo.owner}/${repo.repo}/issues/${number}/labels`, { labels }).reply(200, labels.map((name) => ({ name })));
}

/** DELETE one label from an issue or PR: Octokit sends the name as one escaped path segment (`:` as `%3A`). */
export function mockRemoveLabel(scope: nock.Scope, repo: RepoRef, number: number, label: string): void {
  scope.delete(`/repos/${repo.owner}/${repo.repo}/issues/${number}/labels/${encodeURIComponent(label)}`).reply(200, []);
}

export function mockComment(scope: nock.Scope, repo: RepoRef, number: number): void {
  scope.post(`/repos/${repo.owner}/${repo.repo}/issues/${number}/comments`).reply(201, { id: 9000 + number, body: 'ok' });
}

export function mockReaction(scope: nock.Scope, repo: RepoRef, commentId: number): void {
  scope.post(`/repos/${repo.owner}/${repo.repo}/issues/comments/${commentId}/reactions`, { content: 'eyes' }).reply(201, { id: 1, content: 'eyes' });
}

/**
 * GET commits/heads/template-drift/update (the branch head the app checks before deleting the
 * branch), answered from the bare repository when asked; 422 as GitHub does when there is none.
 */
export function mockBranchHead(scope: nock.Scope, repo: RepoRef, bare: BareRepo): void {
  scope.get(new RegExp(`^/repos/${repo.owner}/${repo.repo}/commits/heads(/|%2F)template-drift(/|%2F)update$`)).reply(async () => {
    const commit = await bare.commitJson(UPDATE_BRANCH);
    return commit ? [200, commit] : [422, { message: 'No commit found for SHA: heads/template-drift/update' }];
  });
}

export function mockPermission(scope: nock.Scope, repo: RepoRef, login: string, permission: string): void {
  scope.get(`/repos/${repo.owner}/${repo.repo}/collaborators/${login}/permission`)
    .reply(200, { permission: permission === 'maintain' ? 'write' : permission === 'triage' ? 'read' : permission, role_name: permission, user: { login } });
}

// --- Sequences ----------------------------------------------------------------------------------

/** `/sync-template` by a writer (Codertocat) on issue 1 of `repo`; resolves with the app's reply. */
export async function syncTemplateReply(app: TestApp, scope: nock.Scope, repo: RepoRef): Promise<string> {
  const payload = commentPayload(repo, '/sync-template', { issue: 1 });
  mockReaction(scope, repo, commentId(payload));
  mockPermission(scope, repo, 'Codertocat', 'write');
  mockComment(scope, repo, 1);
  await app.receive('issue_comment', payload);
  const [reply] = commentsSent(repo, 1);
  return String(reply);
}

export interface FanOutInput {
  readonly template: MockRepo;
  /** Every repository the installation sees (the template included), with its answers. */
  readonly repositories: readonly MockRepo[];
  /** Whether any repository will be updated (the template is then opened once more). */
  readonly anyTarget: boolean;
}

/** The release handler's reads: template.yml, the installation's repositories and their answers. */
export function mockFanOut(scope: nock.Scope, input: FanOutInput): void {
  // Read at the release's tag: whether it is a template, and its rollout.
  scope.get(contentsPath(TEMPLATE.owner, TEMPLATE.repo, 'template.yml')).query(true).reply(200, contentJson('template.yml', 'name: service-template\n'));
  mockRepository(scope, input.template, input.anyTarget ? 2 : 1);
  scope.get('/installation/repositories').query(true)
    .reply(200, { total_count: input.repositories.length, repositories: input.repositories.map((repo) => repo.json) });
  for (const repo of input.repositories) {
    if (repo.repo !== TEMPLATE.repo && !repo.json.archived) mockAnswers(scope, repo);
  }
}

/** The fan-out for a release that every listed service will take. */
export function mockRelease(scope: nock.Scope, template: MockRepo, services: readonly MockRepo[]): void {
  mockFanOut(scope, { template, repositories: [template, ...services], anyTarget: true });
}

export interface UpdateStartInput {
  readonly template: MockRepo;
  /** The open update PR GitHub lists, if any. */
  readonly openPull?: PullJsonInput;
}

/** One update's reads up to the plan: answers, the repository, the template, the open update PR, the answers' history. */
export function mockUpdateStart(scope: nock.Scope, repo: MockRepo, input: UpdateStartInput): void {
  mockAnswers(scope, repo);
  mockRepository(scope, repo);
  mockRepository(scope, input.template);
  mockPulls(scope, repo, 'open', input.openPull ? [input.openPull] : []);
  if (repo.history) mockAnswersHistory(scope, repo);
}

export interface NewPullInput extends UpdateStartInput {
  readonly number: number;
  /** A release (not a command) also checks for a declined version. */
  readonly explicit?: boolean;
  /** Whether the declined versions are looked up (default: unless explicit; a push that changed answers does not). */
  readonly checksDeclined?: boolean;
  readonly closedPulls?: PullJsonInput[];
  readonly labels?: string[];
  readonly releaseTags?: string[];
  /** False when an earlier update of the same release in this process read the template's releases (they serve this one). */
  readonly readsReleases?: boolean;
  /** The "action required" issues GitHub lists (none: nothing to close). */
  readonly issues?: IssueJsonInput[];
}

/** A whole update that ends in a new pull request (no issue open). */
export function mockUpdateToNewPull(scope: nock.Scope, repo: MockRepo, input: NewPullInput): void {
  mockUpdateStart(scope, repo, input);
  if (input.checksDeclined ?? !input.explicit) mockPulls(scope, repo, 'closed', input.closedPulls ?? []);
  if (input.readsReleases ?? true) mockReleaseNotes(scope, input.releaseTags);
  mockCreatePull(scope, repo, input.number);
  mockAddLabels(scope, repo, input.number, input.labels ?? ['template-drift']);
  mockIssues(scope, repo, input.issues);
}

/** A release's whole update that refreshes the open update PR in place (push, PATCH; no issue open). */
export function mockUpdateToRefreshedPull(scope: nock.Scope, repo: MockRepo, input: { template: MockRepo; openPull: PullJsonInput; releaseTags: string[] }): void {
  mockRelease(scope, input.template, [repo]);
  mockUpdateStart(scope, repo, input);
  mockPulls(scope, repo, 'closed');
  mockReleaseNotes(scope, input.releaseTags);
  mockUpdatePull(scope, input.openPull);
  mockIssues(scope, repo);
}

/** The template, the service and a first PR body as the app wrote it (for "open PR" mocks). */
export function openPullFrom(repo: RepoRef, number: number, created: Record<string, unknown>, extra: Partial<PullJsonInput> = {}): PullJsonInput {
  return {
    number, ...repo, title: String(created.title), body: String(created.body), draft: Boolean(created.draft), labels: ['template-drift'], ...extra,
  };
}
