import { randomUUID } from 'node:crypto';
import type { ProbotOctokit } from 'probot';
import { createOnce, statusOf } from './create-once.js';
import type {
  BranchCommit, CheckRunDraft, CheckRunOutput, IssueInfo, Permission, Platform, PullRequestDraft, PullRequestInfo, ReleaseInfo, RepoId, RepositoryInfo, RepositoryToken, TreeBlob,
} from './platform.js';
import { readTreeBlobs } from './tree-blobs.js';
import { ISSUE_LABEL } from './labels.js';
import type { ChangedFile } from '../engine/enforced-files-check.js';
import type { WriteBudget } from './write-budget.js';

/** GitHub lists at most 3,000 files of a pull request: https://docs.github.com/rest/pulls/pulls#list-pull-requests-files */
const PULL_FILES_CAP = 3000;

/** What the Platform uses of an Octokit: Probot's (the app) and the CLI's own (`scan`) both have it. */
export type RestOctokit = Pick<ProbotOctokit, 'rest' | 'paginate'>;

export interface OctokitPlatformOptions {
  readonly octokit: RestOctokit;
  /** Mints an installation token limited to one repository (needs the app's own JWT auth). */
  readonly createToken: (repo: RepoId, access: 'read' | 'write') => Promise<RepositoryToken>;
  /** Runs a write after the previous writes of this installation: GitHub asks for writes in series. */
  readonly serializeWrite: <T>(write: () => Promise<T>) => Promise<T>;
  /** GitHub's write budget; the API's writes take it in `octokit` itself (budgetWrites). */
  readonly writeBudget?: WriteBudget;
}

export type RestRepository = {
  owner: { login: string }; name: string; default_branch?: string; clone_url?: string; html_url: string; archived?: boolean;
  template_repository?: { owner: { login: string }; name: string } | null; created_at?: string | null;
};
type RestPull = {
  number: number; state: string; merged_at?: string | null; merged?: boolean; draft?: boolean; title: string; body?: string | null;
  html_url: string; head: { ref: string; sha: string; repo: { full_name: string } | null }; labels: ({ name?: string } | string)[];
};

/** The Platform over Probot's Octokit (retries and throttling on), one installation at a time. */
export class OctokitPlatform implements Platform {
  private readonly octokit: RestOctokit;

  constructor(private readonly options: OctokitPlatformOptions) {
    this.octokit = options.octokit;
  }

  async repository({ owner, repo }: RepoId): Promise<RepositoryInfo> {
    const { data } = await this.octokit.rest.repos.get({ owner, repo });
    return toRepository(data);
  }

  async installationRepositories(): Promise<RepositoryInfo[]> {
    const repositories = await this.octokit.paginate(this.octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    return (repositories as RestRepository[]).map(toRepository);
  }

  async fileText({ owner, repo }: RepoId, path: string, ref?: string): Promise<string | undefined> {
    try {
      const { data } = await this.octokit.rest.repos.getContent({ owner, repo, path, ...(ref && { ref }) });
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
      return Buffer.from(data.content, 'base64').toString('utf8');
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async *fileHistory({ owner, repo }: RepoId, path: string, ref: string): AsyncGenerator<string> {
    // GET /repos/{owner}/{repo}/commits?path= lists only the commits that touched the path:
    // https://docs.github.com/rest/commits/commits#list-commits
    const pages = this.octokit.paginate.iterator(this.octokit.rest.repos.listCommits, { owner, repo, path, sha: ref, per_page: 20 });
    for await (const { data } of pages) {
      for (const commit of data) yield commit.sha;
    }
  }

  async permission({ owner, repo }: RepoId, username: string): Promise<Permission> {
    try {
      const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
      const known: Permission[] = ['admin', 'maintain', 'write', 'triage', 'read', 'none'];
      const role = known.find((p) => p === data.role_name);
      return role ?? known.find((p) => p === data.permission) ?? 'none';
    } catch (error) {
      if (statusOf(error) === 404) return 'none';
      throw error;
    }
  }

  repositoryToken(repo: RepoId, access: 'read' | 'write'): Promise<RepositoryToken> {
    return this.options.createToken(repo, access);
  }

  async findRepository(repo: RepoId): Promise<RepositoryInfo | undefined> {
    try {
      return await this.repository(repo);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async installedReadToken(repo: RepoId): Promise<string | undefined> {
    try {
      return (await this.options.createToken(repo, 'read')).token;
    } catch (error) {
      // GitHub answers 422 when a repository asked for is not one of the installation's.
      if (statusOf(error) === 422 || statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async pullsForBranch({ owner, repo }: RepoId, branch: string, state: 'open' | 'closed'): Promise<PullRequestInfo[]> {
    const pulls = await this.octokit.paginate(this.octokit.rest.pulls.list, { owner, repo, state, head: `${owner}:${branch}`, per_page: 100 });
    return (pulls as RestPull[]).map(toPull).filter((pull) => pull.headRef === branch && pull.headRepo?.toLowerCase() === `${owner}/${repo}`.toLowerCase());
  }

  async createPull(repoId: RepoId, draft: PullRequestDraft): Promise<PullRequestInfo> {
    const { owner, repo } = repoId;
    const create = async (): Promise<PullRequestInfo> => toPull((await this.options.serializeWrite(() =>
      this.octokit.rest.pulls.create({ owner, repo, title: draft.title, body: draft.body, head: draft.head, base: draft.base, draft: draft.draft, maintainer_can_modify: false }))).data);
    try {
      // After a 5xx, the branch's open PR is the one that create made.
      return await createOnce(create, async () => (await this.pullsForBranch(repoId, draft.head, 'open'))[0]);
    } catch (error) {
      // A PR for the branch exists already (an earlier attempt, a redelivery): update that one.
      if (statusOf(error) !== 422 || !/already exists/i.test(messageOf(error))) throw error;
      const [existing] = await this.pullsForBranch(repoId, draft.head, 'open');
      if (!existing) throw error;
      return this.updatePull(repoId, existing.number, { title: draft.title, body: draft.body });
    }
  }

  async updatePull({ owner, repo }: RepoId, number: number, change: { title?: string; body?: string; state?: 'open' | 'closed' }): Promise<PullRequestInfo> {
    const { data } = await this.options.serializeWrite(() => this.octokit.rest.pulls.update({ owner, repo, pull_number: number, ...change }));
    return toPull(data);
  }

  async addLabels({ owner, repo }: RepoId, number: number, labels: readonly string[]): Promise<void> {
    await this.options.serializeWrite(() => this.octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels: [...labels] }));
  }

  async removeLabel({ owner, repo }: RepoId, number: number, label: string): Promise<void> {
    try {
      await this.options.serializeWrite(() => this.octokit.rest.issues.removeLabel({ owner, repo, issue_number: number, name: label }));
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }

  async deleteBranch({ owner, repo }: RepoId, branch: string): Promise<void> {
    try {
      await this.options.serializeWrite(() => this.octokit.rest.git.deleteRef({ owner, repo, ref: `heads/${branch}` }));
    } catch (error) {
      // Already gone (deleted on merge by GitHub's setting, or by a person): that is the goal.
      if (statusOf(error) !== 404 && statusOf(error) !== 422) throw error;
    }
  }

  /**
   * Each comment carries a hidden marker with an id of its own, so that after a 5xx the app can
   * tell whether GitHub made this very comment (the same text may rightly be posted twice).
   */
  async branchHead({ owner, repo }: RepoId, branch: string): Promise<BranchCommit | undefined> {
    try {
      const { data } = await this.octokit.rest.repos.getCommit({ owner, repo, ref: `heads/${branch}` });
      return { sha: data.sha, committerEmail: data.commit.committer?.email ?? '', message: data.commit.message };
    } catch (error) {
      // GitHub answers 422 ("No commit found") for a ref that does not exist, 404 for some.
      if (statusOf(error) === 404 || statusOf(error) === 422) return undefined;
      throw error;
    }
  }

  async comment(repoId: RepoId, issueNumber: number, body: string): Promise<void> {
    const { owner, repo } = repoId;
    const marker = commentMarker(randomUUID());
    await createOnce(
      async () => {
        await this.options.serializeWrite(() => this.octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body: `${body}\n\n${marker}` }));
        return true;
      },
      async () => ((await this.comments(repoId, issueNumber)).some((comment) => comment.body.includes(marker)) ? true : undefined),
    );
  }

  async comments({ owner, repo }: RepoId, issueNumber: number): Promise<{ body: string; author: string }[]> {
    const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 });
    return comments.map((comment) => ({ body: comment.body ?? '', author: comment.user?.login ?? '' }));
  }

  async react({ owner, repo }: RepoId, commentId: number, content: 'eyes' | '+1' | 'confused'): Promise<void> {
    await this.options.serializeWrite(() => this.octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content }));
  }

  async findIssue({ owner, repo }: RepoId, title: string): Promise<IssueInfo | undefined> {
    const issues = await this.octokit.paginate(this.octokit.rest.issues.listForRepo, { owner, repo, state: 'all', labels: ISSUE_LABEL, per_page: 100 });
    const match = issues
      .filter((issue) => !issue.pull_request && issue.title === title)
      .sort((a, b) => (a.state === b.state ? b.number - a.number : a.state === 'open' ? -1 : 1))[0];
    return match && { number: match.number, state: match.state === 'open' ? 'open' : 'closed', body: match.body ?? '', htmlUrl: match.html_url };
  }

  /** Callers create only when `findIssue` found none: after a 5xx, the one it finds is this create's. */
  async createIssue(repoId: RepoId, title: string, body: string): Promise<IssueInfo> {
    const { owner, repo } = repoId;
    return createOnce(async () => {
      const { data } = await this.options.serializeWrite(() => this.octokit.rest.issues.create({ owner, repo, title, body, labels: [ISSUE_LABEL] }));
      return { number: data.number, state: 'open', body: data.body ?? '', htmlUrl: data.html_url };
    }, () => this.findIssue(repoId, title));
  }

  async updateIssue({ owner, repo }: RepoId, number: number, change: { body?: string; state?: 'open' | 'closed' }): Promise<void> {
    await this.options.serializeWrite(() => this.octokit.rest.issues.update({ owner, repo, issue_number: number, ...change }));
  }

  async releases({ owner, repo }: RepoId): Promise<ReleaseInfo[]> {
    const releases = await this.octokit.paginate(this.octokit.rest.repos.listReleases, { owner, repo, per_page: 100 });
    return releases.map((release) => ({
      tag: release.tag_name, name: release.name ?? '', body: release.body ?? '', url: release.html_url, prerelease: release.prerelease, draft: release.draft,
      ...(release.published_at && { publishedAt: release.published_at }),
    }));
  }

  async pullFiles({ owner, repo }: RepoId, number: number): Promise<{ files: ChangedFile[]; truncated: boolean }> {
    const listed = await this.octokit.paginate(this.octokit.rest.pulls.listFiles, { owner, repo, pull_number: number, per_page: 100 });
    const files = listed.map((file) => ({ path: file.filename, status: file.status, ...(file.previous_filename && { previousPath: file.previous_filename }) }));
    return { files, truncated: files.length >= PULL_FILES_CAP };
  }

  async createCheckRun(repoId: RepoId, run: CheckRunDraft): Promise<number> {
    const { owner, repo } = repoId;
    return createOnce(async () => {
      const { data } = await this.options.serializeWrite(() => this.octokit.rest.checks.create({
        owner, repo, name: run.name, head_sha: run.headSha, status: 'completed', conclusion: run.conclusion, completed_at: new Date().toISOString(),
        output: { title: run.output.title, summary: run.output.summary, ...(run.output.annotations && { annotations: [...run.output.annotations] }) },
      }));
      return data.id;
    }, async () => {
      // After a 5xx, a run of this name on this commit is the one that create made.
      const { data } = await this.octokit.rest.checks.listForRef({ owner, repo, ref: run.headSha, check_name: run.name, filter: 'latest', per_page: 1 });
      return data.check_runs[0]?.id;
    });
  }

  async updateCheckRun({ owner, repo }: RepoId, id: number, output: CheckRunOutput): Promise<void> {
    await this.options.serializeWrite(() => this.octokit.rest.checks.update({
      owner, repo, check_run_id: id,
      output: { title: output.title, summary: output.summary, ...(output.annotations && { annotations: [...output.annotations] }) },
    }));
  }

  async takeWriteSlot(): Promise<void> {
    await this.options.writeBudget?.take();
  }

  treeBlobs(repo: RepoId, ref: string, paths: readonly string[]): Promise<Map<string, TreeBlob>> {
    return readTreeBlobs(this.octokit, repo, ref, paths);
  }
}

export function toRepository(data: RestRepository): RepositoryInfo {
  return {
    owner: data.owner.login,
    repo: data.name,
    defaultBranch: data.default_branch ?? 'main',
    cloneUrl: data.clone_url ?? '',
    htmlUrl: data.html_url,
    archived: data.archived ?? false,
    ...(data.template_repository && { templateRepository: { owner: data.template_repository.owner.login, repo: data.template_repository.name } }),
    ...(data.created_at && { createdAt: data.created_at }),
  };
}

function toPull(data: RestPull): PullRequestInfo {
  return {
    number: data.number,
    state: data.state === 'open' ? 'open' : 'closed',
    merged: Boolean(data.merged_at) || data.merged === true,
    draft: data.draft ?? false,
    title: data.title,
    body: data.body ?? '',
    htmlUrl: data.html_url,
    headRef: data.head.ref,
    headSha: data.head.sha,
    headRepo: data.head.repo?.full_name,
    labels: data.labels.map((label) => (typeof label === 'string' ? label : label.name ?? '')),
  };
}

/** The hidden marker of one comment the app writes: `<!-- template-drift-comment ID -->`. */
function commentMarker(id: string): string {
  return `<!-- template-drift-comment ${id} -->`;
}

function messageOf(error: unknown): string {
  const response = (error as { response?: { data?: { message?: string; errors?: { message?: string }[] } } }).response;
  return [error instanceof Error ? error.message : '', response?.data?.message ?? '', ...(response?.data?.errors ?? []).map((e) => e.message ?? '')].join(' ');
}
