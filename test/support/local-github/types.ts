/** The records the local GitHub keeps in memory. Git data (branches, commits, files) lives in the bare repositories instead. */

export type PermissionLevel = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface RepoRecord {
  readonly id: number;
  readonly owner: string;
  readonly name: string;
  private: boolean;
  archived: boolean;
  defaultBranch: string;
  description: string | null;
  readonly createdAt: string;
  updatedAt: string;
  pushedAt: string;
  /** The bare repository on disk. */
  readonly dir: string;
  /** Issues and pull requests share one number sequence, as on GitHub. */
  nextNumber: number;
  readonly issues: Map<number, IssueRecord>;
  readonly comments: Map<number, CommentRecord>;
  /** By lower-cased name: GitHub matches label names case-insensitively. */
  readonly labels: Map<string, LabelRecord>;
  readonly releases: ReleaseRecord[];
  /** By lower-cased login. */
  readonly permissions: Map<string, PermissionLevel>;
  readonly checkRuns: CheckRunRecord[];
  /** "Template repository" is ticked: others may copy it with "Use this template" (POST generate). */
  isTemplate: boolean;
  /** The template repository it was generated from, if any: GitHub's `template_repository`. */
  readonly templateRepository: { readonly owner: string; readonly name: string } | null;
}

/** A check run an app made on a commit, with every annotation it was sent. */
export interface CheckRunRecord {
  readonly id: number;
  readonly name: string;
  readonly headSha: string;
  status: string;
  conclusion: string | null;
  readonly startedAt: string;
  completedAt: string | null;
  title: string | null;
  summary: string | null;
  readonly annotations: CheckAnnotationRecord[];
}

export interface CheckAnnotationRecord {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly level: string;
  readonly title: string | null;
  readonly message: string;
}

export interface IssueRecord {
  readonly id: number;
  readonly number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'reopened' | null;
  /** Label names as created (look the record up in RepoRecord.labels). */
  labels: string[];
  readonly user: string;
  readonly createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: string | null;
  /** Set when this number is a pull request. */
  readonly pull?: PullRecord;
}

export interface PullRecord {
  readonly id: number;
  readonly headRef: string;
  baseRef: string;
  /**
   * The head commit once the pull request is closed (or its branch is gone). While it is open
   * the head is read from the branch, so a push is visible at once.
   */
  frozenHeadSha: string | undefined;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: string | null;
  maintainerCanModify: boolean;
}

export interface CommentRecord {
  readonly id: number;
  readonly issueNumber: number;
  body: string;
  readonly user: string;
  readonly createdAt: string;
  updatedAt: string;
  readonly reactions: ReactionRecord[];
}

export interface ReactionRecord {
  readonly id: number;
  readonly content: string;
  readonly user: string;
  readonly createdAt: string;
}

export interface LabelRecord {
  readonly id: number;
  readonly name: string;
  readonly color: string;
  readonly description: string | null;
}

export interface ReleaseRecord {
  readonly id: number;
  readonly tag: string;
  name: string;
  body: string;
  draft: boolean;
  prerelease: boolean;
  readonly targetCommitish: string;
  readonly author: string;
  readonly createdAt: string;
  publishedAt: string | null;
}

export interface InstallationRecord {
  readonly id: number;
  /** The user or organisation the app is installed on. */
  readonly account: string;
  /** `all`: every repository of the account, including ones created later. Otherwise repository keys. */
  repositories: 'all' | Set<string>;
  readonly permissions: Record<string, string>;
  readonly createdAt: string;
}

export interface TokenRecord {
  readonly token: string;
  readonly installationId: number;
  /** `all`: whatever the installation reaches at the time of use. */
  readonly repositories: 'all' | ReadonlySet<string>;
  readonly permissions: Record<string, string>;
  readonly expiresAt: Date;
}

export interface UserRecord {
  readonly id: number;
  readonly login: string;
  readonly type: 'User' | 'Bot' | 'Organization';
}

/** GitHub's timestamps: ISO 8601 in seconds. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Owner and name are case-insensitive on GitHub. */
export function repoKey(owner: string, name: string): string {
  return `${owner}/${name}`.toLowerCase();
}
