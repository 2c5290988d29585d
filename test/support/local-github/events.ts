import type { CommitInfo, DiffEntry } from './bare-repo.js';
import { ZERO_SHA } from './git.js';
import type { Hub } from './hub.js';
import { envelope, overlay, recorded } from './payloads.js';
import { pullGitState, type PullIssue } from './pull-ops.js';
import { installationShape, userShape } from './shapes/account.js';
import { commentShape, issueShape } from './shapes/issues.js';
import { nodeId } from './shapes/urls.js';
import { templateShape } from './routes/app.js';
import { pullShape } from './shapes/pulls.js';
import { releaseShape } from './shapes/releases.js';
import { timestamp, type CommentRecord, type IssueRecord, type InstallationRecord, type ReleaseRecord, type RepoRecord } from './types.js';
import type { Delivery } from './webhooks.js';

export interface RefChange {
  readonly ref: string;
  readonly before: string;
  readonly after: string;
}

/**
 * `wait`: send and wait for the app's answer (a test's own event); `background`: send without
 * waiting (GitHub's reaction to something the app did); `none`: only update state (test setup).
 */
export type Mode = 'wait' | 'background' | 'none';

/** Builds webhook payloads from the local state and sends them. */
export class Events {
  constructor(private readonly hub: Hub) {}

  /**
   * After refs moved (a git push, a merge, a deletion): pull requests whose head branch is gone are
   * closed, and `push` plus `pull_request.synchronize` are sent, as GitHub does.
   */
  async refsChanged(repo: RepoRecord, changes: readonly RefChange[], pusher: string, mode: Mode): Promise<Delivery[]> {
    repo.pushedAt = timestamp();
    const deliveries: Delivery[] = [];
    for (const change of changes) {
      const branch = change.ref.startsWith('refs/heads/') ? change.ref.slice('refs/heads/'.length) : undefined;
      const pulls = [...repo.issues.values()].filter((issue): issue is PullIssue => issue.pull?.headRef === branch && issue.state === 'open');
      if (change.after === ZERO_SHA) {
        // GitHub closes a pull request whose head branch is deleted.
        for (const pull of pulls) {
          Object.assign(pull, { state: 'closed', closedAt: timestamp(), closedBy: pusher });
          pull.pull.frozenHeadSha = change.before;
        }
      }
      if (mode === 'none') continue;
      deliveries.push(...await this.send('push', await this.pushPayload(repo, change, pusher), mode));
      const action = change.after === ZERO_SHA ? 'closed' : 'synchronize';
      const extra = action === 'synchronize' ? { before: change.before, after: change.after } : {};
      for (const pull of pulls) deliveries.push(...await this.pullRequest(repo, pull, action, pusher, mode, extra));
    }
    return deliveries;
  }

  async pullRequest(repo: RepoRecord, issue: PullIssue, action: string, sender: string, mode: Mode, extra: Record<string, unknown> = {}): Promise<Delivery[]> {
    const example = recorded('pull_request', action);
    const git = await pullGitState(this.hub, repo, issue, false);
    const payload = envelope(this.hub, repo, sender, example);
    Object.assign(payload, { action, number: issue.number, pull_request: overlay(example, 'pull_request', pullShape(this.hub, repo, issue, git)), ...extra });
    return this.send('pull_request', payload, mode);
  }

  /** `edited` carries what changed (`changes.body.from`, the body before), as GitHub sends it. */
  async issue(repo: RepoRecord, issue: IssueRecord, action: 'opened' | 'closed' | 'reopened' | 'edited', sender: string, mode: Mode, changes?: { body: { from: string } }): Promise<Delivery[]> {
    const example = recorded('issues', action);
    const payload = envelope(this.hub, repo, sender, example);
    Object.assign(payload, { action, issue: overlay(example, 'issue', issueShape(this.hub, repo, issue)), ...(changes && { changes }) });
    return this.send('issues', payload, mode);
  }

  async commentCreated(repo: RepoRecord, comment: CommentRecord, mode: Mode): Promise<Delivery[]> {
    const example = recorded('issue_comment', 'created');
    const issue = repo.issues.get(comment.issueNumber)!;
    const payload = envelope(this.hub, repo, comment.user, example);
    Object.assign(payload, { action: 'created', issue: overlay(example, 'issue', issueShape(this.hub, repo, issue)), comment: overlay(example, 'comment', commentShape(this.hub, repo, comment)) });
    return this.send('issue_comment', payload, mode);
  }

  async releasePublished(repo: RepoRecord, release: ReleaseRecord, mode: Mode): Promise<Delivery[]> {
    const example = recorded('release', 'published');
    const payload = envelope(this.hub, repo, release.author, example);
    Object.assign(payload, { action: 'published', release: overlay(example, 'release', releaseShape(this.hub, repo, release)) });
    return this.send('release', payload, mode);
  }

  /** `repository.created`, with the template it was generated from (`template_repository`, null when none). */
  async repositoryCreated(repo: RepoRecord, sender: string, mode: Mode): Promise<Delivery[]> {
    const example = recorded('repository', 'created');
    const payload = envelope(this.hub, repo, sender, example);
    Object.assign(payload.repository as object, { template_repository: templateShape(this.hub, repo) });
    return this.send('repository', payload, mode);
  }

  async installationCreated(installation: InstallationRecord, sender: string, mode: Mode): Promise<Delivery[]> {
    const example = recorded('installation', 'created');
    const account = this.hub.state.user(installation.account);
    const repositories = this.hub.state.installationRepos(installation).map((repo) => ({
      id: repo.id, node_id: nodeId('Repository', repo.id), name: repo.name, full_name: `${repo.owner}/${repo.name}`, private: repo.private,
    }));
    const payload = {
      ...example, action: 'created', installation: overlay(example, 'installation', installationShape(this.hub.urls, installation, account, this.hub.app.id, this.hub.app.slug)),
      repositories, requester: null, sender: userShape(this.hub.urls, this.hub.state.user(sender)),
    };
    return this.send('installation', payload, mode);
  }

  private async send(event: string, payload: Record<string, unknown>, mode: Mode): Promise<Delivery[]> {
    if (mode === 'wait') return [await this.hub.webhooks.deliver(event, payload)];
    if (mode === 'background' && this.hub.autoWebhooks) this.hub.webhooks.deliverInBackground(event, payload);
    return [];
  }

  private async pushPayload(repo: RepoRecord, change: RefChange, pusher: string): Promise<Record<string, unknown>> {
    const git = this.hub.git(repo);
    const example = recorded('push');
    const created = change.before === ZERO_SHA;
    const deleted = change.after === ZERO_SHA;
    let shas: string[] = [];
    if (!deleted) {
      // A new branch lists the commits no other branch has; an update, those since `before`.
      const others = created ? [...(await git.refs())].filter(([ref]) => ref !== change.ref && ref.startsWith('refs/heads/')).map(([, sha]) => sha) : [change.before];
      shas = (await git.commitsBetween(change.after, others)).slice(-20);
    }
    const html = this.hub.urls.repoHtml(repo.owner, repo.name);
    const commits = await Promise.all(shas.map(async (sha) => {
      const info = await git.commitInfo(sha);
      return pushCommit(html, info, await git.diff(info.parents[0], sha));
    }));
    const headCommit = deleted ? null : commits.at(-1) ?? pushCommit(html, await git.commitInfo(change.after), []);
    const forced = !created && !deleted && (await git.mergeBase(change.before, change.after)) !== change.before;
    const payload = envelope(this.hub, repo, pusher, example);
    const repository = payload.repository as Record<string, unknown>;
    // Push payloads are the odd ones out: repository timestamps in Unix seconds, and owner.name.
    Object.assign(repository, {
      created_at: Math.floor(Date.parse(repo.createdAt) / 1000), pushed_at: Math.floor(Date.parse(repo.pushedAt) / 1000),
      owner: { ...(repository.owner as Record<string, unknown>), name: repo.owner, email: null }, master_branch: repo.defaultBranch, stargazers: 0,
    });
    const user = this.hub.state.user(pusher);
    return {
      ...payload, ref: change.ref, before: change.before, after: change.after, created, deleted, forced, base_ref: null,
      compare: `${html}/compare/${change.before.slice(0, 12)}...${change.after.slice(0, 12)}`, commits, head_commit: headCommit,
      pusher: { name: user.login, email: `${user.login}@users.noreply.local` },
    };
  }
}

function pushCommit(html: string, info: CommitInfo, files: readonly DiffEntry[]): Record<string, unknown> {
  const person = (p: CommitInfo['author']): Record<string, unknown> => ({ name: p.name, email: p.email, ...(p.login && { username: p.login }) });
  return {
    id: info.sha, tree_id: info.tree, distinct: true, message: info.message.replace(/\n+$/, ''), timestamp: info.committer.date,
    url: `${html}/commit/${info.sha}`, author: person(info.author), committer: person(info.committer),
    added: files.filter((f) => f.status === 'added').map((f) => f.path),
    removed: files.filter((f) => f.status === 'removed').map((f) => f.path),
    modified: files.filter((f) => f.status === 'modified').map((f) => f.path),
  };
}
