import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api } from './api.js';
import type { CommitInfo, FileChanges, Person } from './bare-repo.js';
import { Events } from './events.js';
import { Faults, matches, type Fault, type PathPattern, type RecordedRequest } from './faults.js';
import { ZERO_SHA } from './git.js';
import { GitHttp } from './git-http.js';
import { Hub } from './hub.js';
import { commentSummaries, issueSummary, pullSummaries, type CommentSummary, type IssueSummary, type PullSummary } from './inspect.js';
import { OpenApiValidator } from './openapi-validator.js';
import { closePull, isPull, mergePull, type MergeOptions } from './pull-ops.js';
import { addComment, openIssue } from './routes/issues.js';
import { openPull } from './routes/pulls.js';
import { Server } from './server.js';
import { GitStalls } from './stalls.js';
import {
  HUMAN, commitFiles, createRelease, createRepo, createTag, generateRepo, install, setPermission, type CreateRepoOptions, type GenerateOptions, type InstallOptions, type ReleaseOptions,
} from './setup.js';
import { Urls } from './shapes/urls.js';
import { timestamp, type CheckRunRecord, type PermissionLevel, type RepoRecord } from './types.js';
import { Violations, type Violation } from './violations.js';
import { WebhookSender, type Delivery } from './webhooks.js';

export type { CheckRunRecord, CommentSummary, CommitInfo, Delivery, Fault, FileChanges, IssueSummary, PathPattern, PermissionLevel, Person, PullSummary, RecordedRequest, Violation };
export { HUMAN };

export interface LocalGitHubOptions {
  /** Where webhooks go, e.g. http://127.0.0.1:APP_PORT/api/github/webhooks (settable later: `webhookUrl`). */
  readonly webhookUrl?: string;
  readonly webhookSecret?: string;
  readonly appId?: number;
  /** The app's slug: its bot account is `${appSlug}[bot]`. */
  readonly appSlug?: string;
  /** The app's public (or private) key: app JWTs are then verified, not just accepted. */
  readonly appKey?: string | KeyObject;
  /** Check every 2xx answer against the description too (slower: schemas compile per operation). */
  readonly validateResponses?: boolean;
  /** Send GitHub's own webhooks after git pushes, merges, closes made through the API (default true). */
  readonly autoWebhooks?: boolean;
}

/**
 * An in-memory GitHub for end-to-end tests: the REST API the app uses under /api/v3, checked
 * against GitHub's REST description; real bare repositories served over smart HTTP; signed
 * webhooks. Point Probot at it with `probotEnv()` (GHE_HOST and GHE_PROTOCOL).
 */
export class LocalGitHub {
  private readonly urls = new Urls('http://127.0.0.1');
  private readonly sender: WebhookSender;
  private readonly hub: Hub;
  private readonly events: Events;
  private readonly faults = new Faults();
  private readonly violationLog = new Violations();
  private readonly requestLog: RecordedRequest[] = [];
  private readonly stalls = new GitStalls();
  private server: Server | undefined;
  private root = '';

  constructor(private readonly options: LocalGitHubOptions = {}) {
    this.sender = new WebhookSender(options.webhookUrl, options.webhookSecret ?? 'local-github-webhook-secret');
    this.hub = new Hub(this.urls, { id: options.appId ?? 1, slug: options.appSlug ?? 'template-drift' }, this.sender, options.autoWebhooks ?? true);
    this.events = new Events(this.hub);
  }

  static async start(options: LocalGitHubOptions = {}): Promise<LocalGitHub> {
    return new LocalGitHub(options).start();
  }

  async start(): Promise<this> {
    const validator = await OpenApiValidator.load();
    this.root = await mkdtemp(join(tmpdir(), 'local-github-'));
    this.hub.root = this.root;
    const api = new Api(this.hub, this.events, validator, this.violationLog, this.faults, this.options.validateResponses ?? false);
    const identity = { appId: this.hub.app.id, ...(this.options.appKey && { publicKey: this.options.appKey }) };
    this.server = new Server(this.hub, api, new GitHttp(this.hub, this.events), this.faults, this.violationLog, identity, this.requestLog, this.stalls);
    this.urls.base = await this.server.listen();
    return this;
  }

  /** Waits for background webhooks, closes the server and deletes the repositories. */
  async stop(): Promise<void> {
    await this.sender.idle();
    await this.server?.close();
    this.server = undefined;
    if (this.root) await rm(this.root, { recursive: true, force: true });
  }

  // --- where it is -------------------------------------------------------------------------

  /** http://127.0.0.1:PORT: web and git. */
  get url(): string {
    return this.urls.base;
  }

  /** http://127.0.0.1:PORT/api/v3: Probot's baseUrl. */
  get apiUrl(): string {
    return this.urls.api;
  }

  /** The environment that points Probot here: it then calls http://127.0.0.1:PORT/api/v3. */
  probotEnv(): { GHE_HOST: string; GHE_PROTOCOL: string } {
    return { GHE_HOST: new URL(this.urls.base).host, GHE_PROTOCOL: 'http' };
  }

  cloneUrl(owner: string, repo: string): string {
    return this.urls.cloneUrl(owner, repo);
  }

  get webhookUrl(): string | undefined {
    return this.sender.url;
  }

  set webhookUrl(url: string | undefined) {
    this.sender.url = url;
  }

  get webhookSecret(): string {
    return this.sender.secret;
  }

  get botLogin(): string {
    return this.hub.botLogin;
  }

  // --- setting up state --------------------------------------------------------------------

  /** A repository whose first commit holds `files` (path → content; `{content, executable}` for modes). */
  async createRepo(owner: string, name: string, options: CreateRepoOptions = {}): Promise<{ owner: string; repo: string; cloneUrl: string; head: string | undefined }> {
    const record = await createRepo(this.hub, this.root, owner, name, options);
    return { owner, repo: name, cloneUrl: this.cloneUrl(owner, name), head: await this.hub.git(record).resolveCommit(`refs/heads/${record.defaultBranch}`) };
  }

  /**
   * A person presses "Use this template" on `template` (which must be a template repository):
   * the copy is made as POST generate makes it, and `repository.created` is sent and awaited.
   */
  async generateRepo(templateOwner: string, templateRepo: string, options: GenerateOptions): Promise<{ owner: string; repo: string; delivery: Delivery }> {
    const record = await generateRepo(this.hub, this.root, this.repo(templateOwner, templateRepo), options);
    const delivery = first(await this.events.repositoryCreated(record, options.author?.login ?? HUMAN.login ?? 'octo-person', 'wait'));
    return { owner: record.owner, repo: record.name, delivery };
  }

  /** Repository settings GitHub lets an admin change (archiving, visibility, default branch). */
  async updateRepo(owner: string, repo: string, changes: { archived?: boolean; private?: boolean; defaultBranch?: string; isTemplate?: boolean }): Promise<void> {
    const record = this.repo(owner, repo);
    if (changes.defaultBranch) await this.hub.git(record).setHead(changes.defaultBranch);
    Object.assign(record, changes);
  }

  /**
   * "A human commit": `files` (null deletes a path) committed on `branch`, created from the
   * default branch when new. No webhook unless `deliver` (then `push`, and `synchronize` for an
   * open pull request from that branch, are sent and awaited), so setup does not wake the app.
   */
  async commit(owner: string, repo: string, branch: string, files: FileChanges, options: { message?: string; author?: Person; deliver?: boolean } = {}): Promise<string> {
    const record = this.repo(owner, repo);
    const { ref, before, after } = await commitFiles(this.hub, record, branch, files, options);
    const change = { ref, before: before ?? ZERO_SHA, after };
    const pusher = options.author?.login ?? HUMAN.login ?? 'octo-person';
    await this.events.refsChanged(record, [change], pusher, options.deliver ? 'wait' : 'none');
    return after;
  }

  /** A branch at `from` (default branch by default), without webhooks. */
  async createBranch(owner: string, repo: string, branch: string, from?: string): Promise<string> {
    const record = this.repo(owner, repo);
    const git = this.hub.git(record);
    const sha = await git.resolveCommit(from ?? `refs/heads/${record.defaultBranch}`);
    if (!sha) throw new Error(`no commit ${from ?? record.defaultBranch} in ${owner}/${repo}`);
    await git.updateRef(`refs/heads/${branch}`, sha, '');
    return sha;
  }

  /** A lightweight tag at `ref` (the default branch by default). */
  tag(owner: string, repo: string, tag: string, ref?: string): Promise<string> {
    return createTag(this.hub, this.repo(owner, repo), tag, ref);
  }

  setPermission(owner: string, repo: string, login: string, level: PermissionLevel): void {
    setPermission(this.repo(owner, repo), login, level);
  }

  /** Installs the app on an account (all its repositories by default); returns the installation id. */
  install(account: string, options: InstallOptions = {}): number {
    return install(this.hub, account, options).id;
  }

  /** A pull request opened by a person (no webhook). */
  openPull(owner: string, repo: string, fields: { head: string; base?: string; title: string; body?: string; draft?: boolean; user?: string }): number {
    const record = this.repo(owner, repo);
    return openPull(this.hub, record, {
      title: fields.title, body: fields.body ?? null, headRef: fields.head, baseRef: fields.base ?? record.defaultBranch,
      draft: fields.draft ?? false, maintainerCanModify: true, user: fields.user ?? HUMAN.login ?? 'octo-person',
    }).number;
  }

  /** Sends `pull_request` with `action` (`opened`, `synchronize`, …) for a pull request as it is now, and waits for the app. */
  async deliverPull(owner: string, repo: string, number: number, action: string, sender = HUMAN.login ?? 'octo-person'): Promise<Delivery> {
    const record = this.repo(owner, repo);
    const issue = record.issues.get(number);
    if (!isPull(issue)) throw new Error(`no pull request #${number} in ${owner}/${repo}`);
    return first(await this.events.pullRequest(record, issue, action, sender, 'wait'));
  }

  /** An issue opened by a person (no webhook). */
  openIssue(owner: string, repo: string, fields: { title: string; body?: string; labels?: string[]; user?: string }): number {
    return openIssue(this.hub, this.repo(owner, repo), { title: fields.title, body: fields.body ?? null, labels: fields.labels ?? [], user: fields.user ?? HUMAN.login ?? 'octo-person' }).number;
  }

  /**
   * A read-only token for every repository of an installation, as a person's or CI's
   * `GITHUB_TOKEN` would be for `template-drift scan` (the local GitHub knows no other tokens).
   */
  readToken(installationId: number): string {
    return this.hub.state.mintToken(installationId, 'all', { contents: 'read', metadata: 'read', pull_requests: 'read', issues: 'read' }).token;
  }

  /**
   * Repository write tokens minted from now on expire `ms` after they are made, and one used for
   * a clone is refused for a push (undefined: an hour, as GitHub's), so a job that keeps one
   * token from its clone to its push fails.
   */
  expireRepositoryTokensAfter(ms: number | undefined): void {
    this.hub.state.repositoryTokenLifetimeMs = ms;
  }

  /** Makes every installation token minted so far invalid. */
  expireTokens(): void {
    this.hub.state.expireTokens();
  }

  // --- events (each sends its webhook and waits for the app's answer) ----------------------------

  /** Publishes a release of `tag` (creating the tag at the default branch when missing) and sends `release.published`. */
  async publishRelease(owner: string, repo: string, tag: string, options: ReleaseOptions = {}): Promise<Delivery> {
    const record = this.repo(owner, repo);
    const release = await createRelease(this.hub, record, tag, options);
    return first(await this.events.releasePublished(record, release, 'wait'));
  }

  /** A person's comment on an issue or pull request, and `issue_comment.created`. */
  async comment(owner: string, repo: string, issueNumber: number, login: string, body: string): Promise<{ commentId: number; delivery: Delivery }> {
    const record = this.repo(owner, repo);
    const issue = record.issues.get(issueNumber);
    if (!issue) throw new Error(`no issue #${issueNumber} in ${owner}/${repo}`);
    const comment = addComment(this.hub, record, issue, login, body);
    return { commentId: comment.id, delivery: first(await this.events.commentCreated(record, comment, 'wait')) };
  }

  /**
   * A person edits an issue's body (ticks a task-list box, say): the body is replaced and
   * `issues.edited` sent with `changes.body.from`, and awaited.
   */
  async editIssue(owner: string, repo: string, number: number, login: string, body: string): Promise<Delivery> {
    const record = this.repo(owner, repo);
    const issue = record.issues.get(number);
    if (!issue) throw new Error(`no issue #${number} in ${owner}/${repo}`);
    const from = issue.body ?? '';
    Object.assign(issue, { body, updatedAt: timestamp() });
    return first(await this.events.issue(record, issue, 'edited', login, 'wait', { body: { from } }));
  }

  /** A person closes a pull request without merging: `pull_request.closed` with merged false. */
  async closePull(owner: string, repo: string, number: number, login = HUMAN.login ?? 'octo-person'): Promise<Delivery> {
    const record = this.repo(owner, repo);
    const issue = record.issues.get(number);
    if (!isPull(issue)) throw new Error(`no pull request #${number} in ${owner}/${repo}`);
    await closePull(this.hub, record, issue, login);
    return first(await this.events.pullRequest(record, issue, 'closed', login, 'wait'));
  }

  /** A person presses "Merge": a real merge, then `push` and `pull_request.closed` (merged). */
  async mergePull(owner: string, repo: string, number: number, options: { login?: string; method?: MergeOptions['method'] } = {}): Promise<{ sha: string; deliveries: Delivery[] }> {
    const record = this.repo(owner, repo);
    const issue = record.issues.get(number);
    if (!isPull(issue)) throw new Error(`no pull request #${number} in ${owner}/${repo}`);
    const by = options.login ?? HUMAN.login ?? 'octo-person';
    const { sha, before } = await mergePull(this.hub, record, issue, { method: options.method ?? 'merge', by });
    const deliveries = [
      ...await this.events.refsChanged(record, [{ ref: `refs/heads/${issue.pull.baseRef}`, before, after: sha }], by, 'wait'),
      ...await this.events.pullRequest(record, issue, 'closed', by, 'wait'),
    ];
    return { sha, deliveries };
  }

  /** Sends `push` for a ref change that already happened (ZERO_SHA for a created or deleted ref). */
  async deliverPush(owner: string, repo: string, change: { ref: string; before: string; after: string }, pusher = HUMAN.login ?? 'octo-person'): Promise<Delivery> {
    return first(await this.events.refsChanged(this.repo(owner, repo), [change], pusher, 'wait'));
  }

  /** `installation.created` for an installation made with `install`. */
  async installationCreated(installationId: number, sender?: string): Promise<Delivery> {
    const installation = this.hub.state.installations.get(installationId);
    if (!installation) throw new Error(`no installation ${installationId}`);
    return first(await this.events.installationCreated(installation, sender ?? installation.account, 'wait'));
  }

  /** Any webhook, signed and sent as GitHub would. */
  deliver(event: string, payload: Record<string, unknown>): Promise<Delivery> {
    return this.sender.deliver(event, payload);
  }

  /** Sends a delivery again with the same X-GitHub-Delivery id and body. */
  redeliver(deliveryId: string): Promise<Delivery> {
    return this.sender.redeliver(deliveryId);
  }

  deliveries(): readonly Delivery[] {
    return this.sender.deliveries();
  }

  /** Waits until the background webhooks (after the app's own pushes, merges, comments) are answered. */
  idle(): Promise<void> {
    return this.sender.idle();
  }

  // --- inspecting state ----------------------------------------------------------------------------

  pulls(owner: string, repo: string): Promise<PullSummary[]> {
    return pullSummaries(this.hub, this.repo(owner, repo));
  }

  async pull(owner: string, repo: string, number: number): Promise<PullSummary> {
    const pull = (await this.pulls(owner, repo)).find((p) => p.number === number);
    if (!pull) throw new Error(`no pull request #${number} in ${owner}/${repo}`);
    return pull;
  }

  /** The check runs apps made in a repository, oldest first, each with every annotation it was sent. */
  checkRuns(owner: string, repo: string): readonly CheckRunRecord[] {
    return this.repo(owner, repo).checkRuns;
  }

  /** Issues only (pull requests excluded), by number. */
  issues(owner: string, repo: string): IssueSummary[] {
    return [...this.repo(owner, repo).issues.values()].map(issueSummary).filter((issue) => !issue.isPull).sort((a, b) => a.number - b.number);
  }

  comments(owner: string, repo: string, issueNumber?: number): CommentSummary[] {
    return commentSummaries(this.repo(owner, repo), issueNumber);
  }

  /** Branch name → head commit. */
  branches(owner: string, repo: string): Promise<Map<string, string>> {
    return this.hub.git(this.repo(owner, repo)).branches();
  }

  /** A file's text at `ref` (branch, tag or SHA), or undefined. */
  async readFile(owner: string, repo: string, ref: string, path: string): Promise<string | undefined> {
    const git = this.hub.git(this.repo(owner, repo));
    const sha = await git.resolveCommit(ref);
    const content = sha ? await git.readPath(sha, path) : undefined;
    return content?.type === 'file' ? content.content.toString('utf8') : undefined;
  }

  async commitInfo(owner: string, repo: string, ref: string): Promise<CommitInfo> {
    const git = this.hub.git(this.repo(owner, repo));
    const sha = await git.resolveCommit(ref);
    if (!sha) throw new Error(`no commit ${ref} in ${owner}/${repo}`);
    return git.commitInfo(sha);
  }

  // --- faults, counts, violations --------------------------------------------------------------------

  /**
   * The next `times` requests matching `method` ('*' for any) and `pattern` fail with `fault`,
   * e.g. `{ status: 502 }` or `{ status: 403, retryAfter: 1, message: 'You have exceeded a secondary rate limit...' }`;
   * `{ status: 502, afterWrite: true }` carries the request out (an issue is created) and then answers 502.
   */
  failNext(method: string, pattern: PathPattern, fault: Fault, times = 1): void {
    this.faults.add(method, pattern, fault, times);
  }

  /**
   * From now on the repository's git endpoint accepts every request and never answers (a hung
   * host); the API still works. With `requests`, only that many are held and the endpoint then
   * answers again by itself (a host that hung once); the held ones stay held until the client
   * gives up or `resumeGit`.
   */
  stallGit(owner: string, repo: string, requests?: number): void {
    this.stalls.stall(owner, repo, requests);
  }

  /** The git endpoint answers again; the requests it held are cut off. */
  resumeGit(owner: string, repo: string): void {
    this.stalls.resume(owner, repo);
  }

  /** Git requests of a stalled repository being held right now. */
  stalledGitRequests(owner: string, repo: string): number {
    return this.stalls.holding(owner, repo);
  }

  /** How many requests matched (API paths without /api/v3, or their `{placeholder}` template). */
  requestCount(method: string, pattern: PathPattern): number {
    return this.requestLog.filter((request) => matches(method, pattern, request)).length;
  }

  requests(): readonly RecordedRequest[] {
    return this.requestLog;
  }

  /** Requests per route: `GET /repos/{owner}/{repo}/pulls` → count (git requests by path). */
  requestCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const request of this.requestLog) {
      const key = `${request.method} ${request.template ?? request.path}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  violations(): readonly Violation[] {
    return this.violationLog.all();
  }

  /** For afterEach: throws listing every request GitHub's description would not allow, then forgets them. */
  assertNoViolations(): void {
    this.violationLog.assertNone();
  }

  /** Where a repository's bare repository lives on this machine: what a `file://` answers file would name. */
  repoDir(owner: string, repo: string): string {
    return this.repo(owner, repo).dir;
  }

  private repo(owner: string, repo: string): RepoRecord {
    return this.hub.state.requireRepo(owner, repo);
  }
}

function first(deliveries: readonly Delivery[]): Delivery {
  const delivery = deliveries[0];
  if (!delivery) throw new Error('no webhook was sent');
  return delivery;
}
