import { randomBytes } from 'node:crypto';
import { repoKey, timestamp, type InstallationRecord, type LabelRecord, type RepoRecord, type TokenRecord, type UserRecord } from './types.js';

/** Installation tokens live an hour, as on GitHub. */
const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

/** Everything the local GitHub remembers that is not in git: repositories' metadata, installations, tokens, users. */
export class State {
  private lastId = 1000;
  private readonly users = new Map<string, UserRecord>();
  private readonly repos = new Map<string, RepoRecord>();
  readonly installations = new Map<number, InstallationRecord>();
  private readonly tokens = new Map<string, TokenRecord>();

  /** Ids are unique across all kinds of records, which is all tests can rely on at GitHub too. */
  nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  user(login: string, type?: UserRecord['type']): UserRecord {
    const key = login.toLowerCase();
    let user = this.users.get(key);
    if (!user) {
      user = { id: this.nextId(), login, type: type ?? (login.endsWith('[bot]') ? 'Bot' : 'User') };
      this.users.set(key, user);
    }
    return user;
  }

  addRepo(repo: RepoRecord): void {
    const key = repoKey(repo.owner, repo.name);
    if (this.repos.has(key)) throw new Error(`repository ${repo.owner}/${repo.name} exists already`);
    this.repos.set(key, repo);
  }

  repo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(repoKey(owner, name));
  }

  requireRepo(owner: string, name: string): RepoRecord {
    const repo = this.repo(owner, name);
    if (!repo) throw new Error(`no repository ${owner}/${name} in the local GitHub`);
    return repo;
  }

  allRepos(): RepoRecord[] {
    return [...this.repos.values()];
  }

  installationRepos(installation: InstallationRecord): RepoRecord[] {
    return this.allRepos().filter((repo) => installation.repositories === 'all'
      ? repo.owner.toLowerCase() === installation.account.toLowerCase()
      : installation.repositories.has(repoKey(repo.owner, repo.name)));
  }

  /** The installation that covers a repository (GitHub allows one per app and account). */
  installationFor(repo: RepoRecord): InstallationRecord | undefined {
    return [...this.installations.values()].find((installation) => this.installationRepos(installation).includes(repo));
  }

  /**
   * When set, tokens that may write to some repositories expire this soon after they are made
   * (and say so in `expires_at`), and one first used to fetch (a clone) is refused for a push:
   * as if each outlived its hour between the clone and the push. Only
   * those: @octokit/auth-app keeps the app's installation-wide tokens 59 minutes whatever their
   * `expires_at` says.
   */
  repositoryTokenLifetimeMs: number | undefined;
  /** Short-lived tokens (above): the git service each was first used for. */
  readonly tokenServices = new Map<string, 'upload-pack' | 'receive-pack'>();

  /** Whether `token` is one of the short-lived repository tokens (above). */
  shortLived(token: TokenRecord): boolean {
    return token.repositories !== 'all' && token.permissions.contents === 'write' && token.expiresAt.getTime() - Date.now() < TOKEN_LIFETIME_MS / 2;
  }

  mintToken(installationId: number, repositories: 'all' | ReadonlySet<string>, permissions: Record<string, string>): TokenRecord {
    const token: TokenRecord = {
      token: `ghs_${randomBytes(18).toString('base64url')}`,
      installationId,
      repositories,
      permissions,
      expiresAt: new Date(Date.now() + (repositories !== 'all' && permissions.contents === 'write' && this.repositoryTokenLifetimeMs !== undefined ? this.repositoryTokenLifetimeMs : TOKEN_LIFETIME_MS)),
    };
    this.tokens.set(token.token, token);
    return token;
  }

  /** A token that exists and has not expired. */
  validToken(value: string): TokenRecord | undefined {
    const token = this.tokens.get(value);
    return token && token.expiresAt.getTime() > Date.now() ? token : undefined;
  }

  /** Makes every token minted so far invalid (to test what the app does with a stale one). */
  expireTokens(): void {
    this.tokens.clear();
  }

  /** Whether a token reaches a repository: its own list, and still within its installation. */
  tokenReaches(token: TokenRecord, repo: RepoRecord): boolean {
    const installation = this.installations.get(token.installationId);
    if (!installation || !this.installationRepos(installation).includes(repo)) return false;
    return token.repositories === 'all' || token.repositories.has(repoKey(repo.owner, repo.name));
  }

  /** A label of the repository, created (as GitHub does when one is applied by name) when missing. */
  label(repo: RepoRecord, name: string): LabelRecord {
    const key = name.toLowerCase();
    let label = repo.labels.get(key);
    if (!label) {
      // '' rather than null: the pull-request list's label schema requires a string description.
      label = { id: this.nextId(), name, color: 'ededed', description: '' };
      repo.labels.set(key, label);
    }
    return label;
  }

  newRepoRecord(owner: string, name: string, dir: string, options: {
    defaultBranch: string; private: boolean; archived: boolean; description: string | null; isTemplate?: boolean; templateRepository?: { owner: string; name: string };
  }): RepoRecord {
    const now = timestamp();
    this.user(owner);
    return {
      id: this.nextId(), owner, name, dir, defaultBranch: options.defaultBranch, private: options.private, archived: options.archived,
      description: options.description, isTemplate: options.isTemplate ?? false, templateRepository: options.templateRepository ?? null,
      createdAt: now, updatedAt: now, pushedAt: now,
      nextNumber: 1, issues: new Map(), comments: new Map(), labels: new Map(), releases: [], permissions: new Map(), checkRuns: [],
    };
  }
}
