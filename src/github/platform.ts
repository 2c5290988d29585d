import type { ChangedFile, CheckAnnotation } from '../engine/enforced-files-check.js';

/**
 * Everything the workflows ask of GitHub, and nothing more. Workflows see only this interface
 * (as Renovate's workers see only `Platform`): the Octokit implementation lives beside it, and
 * tests can check a workflow against GitHub's real REST shapes through nock.
 */
export interface RepoId {
  readonly owner: string;
  readonly repo: string;
}

export interface RepositoryInfo extends RepoId {
  readonly defaultBranch: string;
  /** The clone URL GitHub returns: github.com, an Enterprise host, or a test server alike. */
  readonly cloneUrl: string;
  readonly htmlUrl: string;
  readonly archived: boolean;
  /** The template repository it was made from with "Use this template" (GitHub's `template_repository`). */
  readonly templateRepository?: RepoId;
  /** When the repository was created (ISO 8601). */
  readonly createdAt?: string;
}

export interface PullRequestInfo {
  readonly number: number;
  readonly state: 'open' | 'closed';
  readonly merged: boolean;
  readonly draft: boolean;
  readonly title: string;
  readonly body: string;
  readonly htmlUrl: string;
  readonly headRef: string;
  readonly headSha: string;
  /** `owner/repo` of the branch's repository: a fork's PR is never touched. */
  readonly headRepo: string | undefined;
  readonly labels: readonly string[];
}

export interface IssueInfo {
  readonly number: number;
  readonly state: 'open' | 'closed';
  readonly body: string;
  readonly htmlUrl: string;
}

export interface ReleaseInfo {
  readonly tag: string;
  readonly name: string;
  readonly body: string;
  readonly url: string;
  readonly prerelease: boolean;
  readonly draft: boolean;
  /** When it was published (ISO 8601); absent for a draft. */
  readonly publishedAt?: string;
}

export interface PullRequestDraft {
  readonly title: string;
  readonly body: string;
  readonly head: string;
  readonly base: string;
  readonly draft: boolean;
}

/** The commit a branch points at, with what tells the app's own commits from a person's. */
export interface BranchCommit {
  readonly sha: string;
  readonly committerEmail: string;
  readonly message: string;
}

/** A completed check run on one commit: its output, and the first batch of annotations. */
export interface CheckRunDraft {
  readonly name: string;
  readonly headSha: string;
  readonly conclusion: 'neutral' | 'success' | 'failure';
  readonly output: CheckRunOutput;
}

export interface CheckRunOutput {
  readonly title: string;
  readonly summary: string;
  readonly annotations?: readonly CheckAnnotation[];
}

/** A file of a repository's tree (a blob: a file or a symlink) as git stores it. */
export interface TreeBlob {
  readonly sha: string;
  readonly mode: string;
}

/** One webhook delivery GitHub made to the app, as its deliveries list shows it. */
export interface HookDelivery {
  readonly id: number;
  /** The X-GitHub-Delivery id: a redelivery has the original's. */
  readonly guid: string;
  readonly deliveredAt: string;
  readonly redelivery: boolean;
  /** The app's HTTP status; 0 when GitHub could not reach it. */
  readonly statusCode: number;
  readonly event: string;
  readonly action: string | null;
  readonly installationId: number | null;
}

/** An installation token and when GitHub says it expires (an hour after it was made, on github.com). */
export interface RepositoryToken {
  readonly token: string;
  readonly expiresAt: Date;
}

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface Platform {
  repository(repo: RepoId): Promise<RepositoryInfo>;
  /** Every repository the installation can see. */
  installationRepositories(): Promise<RepositoryInfo[]>;
  /** A file's text on a branch (default branch when absent); undefined when there is none. */
  fileText(repo: RepoId, path: string, ref?: string): Promise<string | undefined>;
  /**
   * The commits that changed `path`, newest first, from commit `ref` back: read page by page as
   * the caller goes on, so stopping early costs nothing more.
   */
  fileHistory(repo: RepoId, path: string, ref: string): AsyncIterable<string>;
  permission(repo: RepoId, username: string): Promise<Permission>;
  /** An installation token that can reach this one repository only. */
  repositoryToken(repo: RepoId, access: 'read' | 'write'): Promise<RepositoryToken>;
  /** The repository as this installation sees it (its own and public ones); undefined when GitHub answers 404. */
  findRepository(repo: RepoId): Promise<RepositoryInfo | undefined>;
  /** A read-only token for a repository this installation was granted; undefined when it was not. */
  installedReadToken(repo: RepoId): Promise<string | undefined>;

  /** Pull requests whose head is `branch` in the repository itself (never a fork's). */
  pullsForBranch(repo: RepoId, branch: string, state: 'open' | 'closed'): Promise<PullRequestInfo[]>;
  /** Creates the PR; when GitHub answers that one already exists, finds and updates that one. */
  createPull(repo: RepoId, draft: PullRequestDraft): Promise<PullRequestInfo>;
  updatePull(repo: RepoId, number: number, change: { title?: string; body?: string; state?: 'open' | 'closed' }): Promise<PullRequestInfo>;
  addLabels(repo: RepoId, number: number, labels: readonly string[]): Promise<void>;
  removeLabel(repo: RepoId, number: number, label: string): Promise<void>;
  deleteBranch(repo: RepoId, branch: string): Promise<void>;
  /** The commit `branch` points at now; undefined when there is no such branch. */
  branchHead(repo: RepoId, branch: string): Promise<BranchCommit | undefined>;

  comment(repo: RepoId, issueNumber: number, body: string): Promise<void>;
  comments(repo: RepoId, issueNumber: number): Promise<{ body: string; author: string }[]>;
  react(repo: RepoId, commentId: number, content: 'eyes' | '+1' | 'confused'): Promise<void>;

  findIssue(repo: RepoId, title: string): Promise<IssueInfo | undefined>;
  createIssue(repo: RepoId, title: string, body: string): Promise<IssueInfo>;
  updateIssue(repo: RepoId, number: number, change: { body?: string; state?: 'open' | 'closed' }): Promise<void>;

  releases(repo: RepoId): Promise<ReleaseInfo[]>;

  /** The files a pull request changes; `truncated` when GitHub's 3,000-file cap cut the list. */
  pullFiles(repo: RepoId, number: number): Promise<{ files: ChangedFile[]; truncated: boolean }>;
  /** Creates a check run; resolves with its id. */
  createCheckRun(repo: RepoId, run: CheckRunDraft): Promise<number>;
  /** Adds to a check run's output: GitHub appends the annotations to the ones it has. */
  updateCheckRun(repo: RepoId, id: number, output: CheckRunOutput): Promise<void>;

  /** Waits until the app's write budget lets one more write out, and counts it: for a git push, which passes no API hook. */
  takeWriteSlot(): Promise<void>;

  /**
   * The files (blobs) at `paths` on branch `ref`, with their blob ids, from GitHub's trees API:
   * no content is downloaded. A path that is missing or a folder is absent from the answer.
   */
  treeBlobs(repo: RepoId, ref: string, paths: readonly string[]): Promise<Map<string, TreeBlob>>;
}

/** What the app asks of GitHub as itself (its JWT), not as one installation. */
export interface AppPlatform {
  /** The ids of every installation of the app. */
  installations(): Promise<number[]>;
  /** The app's webhook deliveries since `since`, newest first (read page by page, no further back). */
  hookDeliveries(since: Date): Promise<HookDelivery[]>;
  /** Asks GitHub to send a delivery again (it answers at once and delivers later). */
  redeliver(deliveryId: number): Promise<void>;
}
