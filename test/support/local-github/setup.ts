import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BareRepo, type FileChanges, type Person } from './bare-repo.js';
import { git as runGit } from './git.js';
import type { Hub } from './hub.js';
import { repoKey, timestamp, type InstallationRecord, type PermissionLevel, type ReleaseRecord, type RepoRecord } from './types.js';

export interface CreateRepoOptions {
  /** path → content committed as the first commit; none leaves the repository empty. */
  readonly files?: FileChanges;
  /** A git repository (path or URL) whose branches and tags become this one's, e.g. a fixture built with the CLI. */
  readonly from?: string;
  readonly defaultBranch?: string;
  readonly private?: boolean;
  readonly archived?: boolean;
  readonly description?: string;
  readonly message?: string;
  readonly author?: Person;
  /** Ticks "Template repository": others may then copy it with "Use this template". */
  readonly isTemplate?: boolean;
}

/** Whoever commits in a test when nobody is named: a person, not the app's bot. */
export const HUMAN: Person = { name: 'Octo Person', email: 'octo.person@example.com', login: 'octo-person' };

/** An installation grants what app.yml asks for, no more: the app must work with exactly that. */
export const DEFAULT_INSTALLATION_PERMISSIONS: Readonly<Record<string, string>> = (
  parse(readFileSync(new URL('../../../app.yml', import.meta.url), 'utf8')) as { default_permissions: Record<string, string> }
).default_permissions;

export async function createRepo(hub: Hub, root: string, owner: string, name: string, options: CreateRepoOptions = {}): Promise<RepoRecord> {
  const dir = join(root, owner.toLowerCase(), `${name.toLowerCase()}.git`);
  const git = await BareRepo.init(dir, options.defaultBranch ?? 'main', options.from);
  const head = await git.currentBranch();
  if (options.defaultBranch && head !== options.defaultBranch) await git.setHead(options.defaultBranch);
  const record = hub.state.newRepoRecord(owner, name, dir, {
    defaultBranch: options.defaultBranch ?? head, private: options.private ?? false, archived: options.archived ?? false, description: options.description ?? null,
    isTemplate: options.isTemplate ?? false,
  });
  hub.state.addRepo(record);
  const defaultBranch = record.defaultBranch;
  if (options.files) {
    // On top of what `from` brought, if anything.
    const parent = await git.resolveCommit(`refs/heads/${defaultBranch}`);
    const sha = await git.writeCommit({ ...(parent && { parent }), changes: options.files, message: options.message ?? 'Initial commit', author: options.author ?? HUMAN });
    await git.updateRef(`refs/heads/${defaultBranch}`, sha, parent ?? '');
  }
  return record;
}

/** A commit on `branch` (created from the default branch when new); returns the ref change. */
export async function commitFiles(hub: Hub, repo: RepoRecord, branch: string, files: FileChanges, options: { message?: string; author?: Person } = {}): Promise<{ ref: string; before: string | undefined; after: string }> {
  const git = hub.git(repo);
  const ref = `refs/heads/${branch}`;
  const before = await git.resolveCommit(ref);
  const parent = before ?? (await git.resolveCommit(`refs/heads/${repo.defaultBranch}`));
  const after = await git.writeCommit({ ...(parent && { parent }), changes: files, message: options.message ?? `Update ${Object.keys(files).join(', ')}`, author: options.author ?? HUMAN });
  await git.updateRef(ref, after, before ?? '');
  return { ref, before, after };
}

export async function createTag(hub: Hub, repo: RepoRecord, tag: string, ref?: string): Promise<string> {
  const git = hub.git(repo);
  const sha = await git.resolveCommit(ref ?? `refs/heads/${repo.defaultBranch}`);
  if (!sha) throw new Error(`${repo.owner}/${repo.name} has no commit ${ref ?? repo.defaultBranch} to tag`);
  await git.updateRef(`refs/tags/${tag}`, sha, '');
  return sha;
}

export function setPermission(repo: RepoRecord, login: string, level: PermissionLevel): void {
  repo.permissions.set(login.toLowerCase(), level);
}

export interface InstallOptions {
  readonly id?: number;
  /** `all` (the default): every repository of the account, now and later. */
  readonly repositories?: 'all' | readonly string[];
  readonly permissions?: Readonly<Record<string, string>>;
}

export function install(hub: Hub, account: string, options: InstallOptions = {}): InstallationRecord {
  const id = options.id ?? hub.state.nextId();
  if (hub.state.installations.has(id)) throw new Error(`installation ${id} exists already`);
  const repositories = options.repositories === undefined || options.repositories === 'all'
    ? 'all' as const
    : new Set(options.repositories.map((name) => (name.includes('/') ? name.toLowerCase() : repoKey(account, name))));
  const installation: InstallationRecord = { id, account, repositories, permissions: { ...(options.permissions ?? DEFAULT_INSTALLATION_PERMISSIONS) }, createdAt: timestamp() };
  hub.state.installations.set(id, installation);
  hub.state.user(account);
  return installation;
}

export interface ReleaseOptions {
  readonly name?: string;
  readonly body?: string;
  readonly prerelease?: boolean;
  readonly draft?: boolean;
  /** Who publishes it; the repository owner by default. */
  readonly author?: string;
  /** Where the tag is created when it does not exist yet; the default branch by default. */
  readonly target?: string;
}

/** A release of `tag` (the tag is created at `target` when missing), as the Releases page makes it. */
export async function createRelease(hub: Hub, repo: RepoRecord, tag: string, options: ReleaseOptions = {}): Promise<ReleaseRecord> {
  const git = hub.git(repo);
  if (!(await git.resolveCommit(`refs/tags/${tag}`))) await createTag(hub, repo, tag, options.target);
  const now = timestamp();
  const release: ReleaseRecord = {
    id: hub.state.nextId(), tag, name: options.name ?? tag, body: options.body ?? '', draft: options.draft ?? false,
    prerelease: options.prerelease ?? false, targetCommitish: options.target ?? repo.defaultBranch, author: options.author ?? repo.owner,
    createdAt: now, publishedAt: options.draft ? null : now,
  };
  repo.releases.push(release);
  return release;
}

export interface GenerateOptions {
  readonly owner: string;
  readonly name: string;
  readonly private?: boolean;
  readonly description?: string;
  /** Who pressed "Use this template": the author of the copy's one commit. */
  readonly author?: Person;
}

/**
 * "Use this template" (POST /repos/{template_owner}/{template_repo}/generate): a new repository
 * whose one commit, "Initial commit", holds the template repository's default branch tree as it
 * is (no history, no tags), and which records the template it came from.
 */
export async function generateRepo(hub: Hub, root: string, template: RepoRecord, options: GenerateOptions): Promise<RepoRecord> {
  const head = await hub.git(template).resolveCommit(`refs/heads/${template.defaultBranch}`);
  if (!head) throw new Error(`${template.owner}/${template.name} has no commit to copy`);
  const dir = join(root, options.owner.toLowerCase(), `${options.name.toLowerCase()}.git`);
  const git = await BareRepo.init(dir, template.defaultBranch);
  await runGit(dir, ['fetch', '--quiet', '--no-tags', '--', template.dir, `refs/heads/${template.defaultBranch}`]);
  const tree = await runGit(dir, ['rev-parse', `${head}^{tree}`]);
  const author = options.author ?? HUMAN;
  const sha = await git.commitTree(tree, [], 'Initial commit', author, author);
  await git.updateRef(`refs/heads/${template.defaultBranch}`, sha, '');
  const record = hub.state.newRepoRecord(options.owner, options.name, dir, {
    defaultBranch: template.defaultBranch, private: options.private ?? false, archived: false, description: options.description ?? null,
    templateRepository: { owner: template.owner, name: template.name },
  });
  hub.state.addRepo(record);
  return record;
}
