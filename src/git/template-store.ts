import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import type { FileEntry, FileMode } from '../engine/file-map.js';
import { UserError } from '../engine/user-error.js';
import { assertRefLike, assertValidRef, gitClient, type GitBounds } from './git-client.js';
import { readBlobsBatch } from './git-process.js';
import { redact } from './redact.js';
import type { TemplateLocation } from './template-location.js';
import { remoteGitFailure } from './transient-git-failure.js';

export interface TemplateStoreOptions {
  /** Where fetched templates are kept, one bare repository per template URL. */
  readonly cacheDir: string;
  /** Environment for git when talking to the template's host (credentials). */
  readonly env?: Readonly<Record<string, string>>;
  /** Secrets to strip from any message (the token, in case git echoes it). */
  readonly secrets?: readonly string[];
  /** The only protocols git may speak (the app); absent: git's defaults (the CLI). */
  readonly protocols?: readonly string[];
  /** Told before slow work (a fetch), so a terminal can show progress. */
  readonly onProgress?: (message: string) => void;
  /** Limits on the template host's git traffic (the app's stall limit and job deadline). */
  readonly bounds?: GitBounds;
  /** The template's refs as an `ls-remote` a moment ago listed them (a release's fan-out): not asked again. */
  readonly knownRefs?: ReadonlyMap<string, string>;
  /** Awaited before any fetch, which fails with its failure (the CLI's update fetches only for a clean working tree). */
  readonly beforeFetch?: () => Promise<void>;
}

export interface ResolvedRef {
  /** The ref as people name it (`v1.4.0`), or the SHA when given one. */
  readonly ref: string;
  readonly commit: string;
}

/** A whole SHA-1 or SHA-256 object name, in either letter case. */
const FULL_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;
/** What git accepts as an abbreviated commit name (it abbreviates to 7 by default). */
const SHORT_SHA = /^[0-9a-f]{7,63}$/i;

/**
 * A local cache of template repositories. Objects are fetched once and kept, so reading a
 * template at a commit already seen costs no network at all; refs are asked of the remote
 * (`ls-remote`, no objects transferred) because tags are the template's release list.
 */
export class TemplateStore {
  private readonly repositories = new Map<string, Promise<TemplateRepository>>();

  constructor(private readonly options: TemplateStoreOptions) {}

  open(location: TemplateLocation): Promise<TemplateRepository> {
    let repository = this.repositories.get(location.url);
    if (!repository) {
      repository = this.createRepository(location);
      this.repositories.set(location.url, repository);
    }
    return repository;
  }

  private async createRepository(location: TemplateLocation): Promise<TemplateRepository> {
    const key = createHash('sha256').update(location.display).digest('hex').slice(0, 24);
    const dir = join(this.options.cacheDir, 'templates', key);
    if (!existsSync(join(dir, 'HEAD'))) {
      // Initialise beside, then move in place, so a crash never leaves a half-made cache.
      const scratch = `${dir}.${randomUUID()}`;
      await mkdir(scratch, { recursive: true });
      await gitClient(scratch).raw(['init', '--bare', '--quiet']);
      await rename(scratch, dir).catch(async () => rm(scratch, { recursive: true, force: true }));
    }
    const git = gitClient(dir, {
      ...(this.options.env && { env: this.options.env }),
      ...(this.options.bounds && { bounds: this.options.bounds }),
      ...(this.options.protocols && { protocols: this.options.protocols }),
    });
    return new TemplateRepository(location, git, dir, this.options);
  }
}

export class TemplateRepository {
  private remoteRefs: Promise<ReadonlyMap<string, string>> | undefined;
  private fetching: Promise<Error | undefined> | undefined;
  private readonly snapshots = new Map<string, Promise<Map<string, FileEntry>>>();

  constructor(
    readonly location: TemplateLocation,
    private readonly git: SimpleGit,
    /** The cache's bare repository, where blobs are read with `cat-file --batch`. */
    private readonly dir: string,
    private readonly options: TemplateStoreOptions,
  ) {}

  /** The template's tag names (its versions). */
  async tags(): Promise<string[]> {
    const refs = await this.refs();
    return [...refs.keys()].filter((name) => name.startsWith('refs/tags/')).map((name) => name.slice('refs/tags/'.length));
  }

  /**
   * A tag, branch or commit SHA (whole or abbreviated to 7 or more characters, either letter
   * case) → the commit it names. A tag or branch wins over a SHA it looks like, as in git. Unknown
   * refs and an abbreviation that fits several commits are a UserError.
   */
  async resolve(ref: string): Promise<ResolvedRef> {
    if (FULL_SHA.test(ref)) return { ref: ref.toLowerCase(), commit: ref.toLowerCase() };
    assertRefLike(ref, 'Template ref');
    const refs = await this.refs();
    // A name the remote just listed is a valid ref name: git itself need not be asked.
    const commit = refs.get(`refs/tags/${ref}`) ?? refs.get(`refs/heads/${ref}`) ?? refs.get(ref);
    if (commit) return { ref, commit };
    await assertValidRef(ref, 'Template ref');
    if (SHORT_SHA.test(ref)) return { ref: ref.toLowerCase(), commit: await this.expandSha(ref.toLowerCase()) };
    throw new UserError(`Template ${this.location.display} has no tag or branch "${ref}"`);
  }

  /** The one commit an abbreviated SHA names, fetching the template's branches and tags when the cache has none. */
  private async expandSha(prefix: string): Promise<string> {
    let commits = await this.commitsStartingWith(prefix);
    if (commits.length === 0) {
      const failure = await this.fetchAll();
      commits = await this.commitsStartingWith(prefix);
      if (commits.length === 0 && failure) throw failure;
    }
    if (commits.length === 0) {
      throw new UserError(`Template ${this.location.display} has no tag, branch or commit "${prefix}"`);
    }
    if (commits.length > 1) {
      throw new UserError(`"${prefix}" is ambiguous in template ${this.location.display}: ${commits.length} commits start with it (${commits.join(', ')}); give more of the SHA`);
    }
    return commits[0]!;
  }

  private async commitsStartingWith(prefix: string): Promise<string[]> {
    // Every object with the prefix (blobs and trees too), then only the commits among them.
    const objects = (await this.git.raw(['rev-parse', `--disambiguate=${prefix}`]).catch(() => '')).split('\n').filter(Boolean);
    const types = await Promise.all(objects.map((sha) => this.git.raw(['cat-file', '-t', sha]).catch(() => '')));
    return objects.filter((_, i) => types[i]?.trim() === 'commit');
  }

  /** Every file of the template repository at `commit`, byte for byte, with git's modes. */
  read(commit: string): Promise<Map<string, FileEntry>> {
    let snapshot = this.snapshots.get(commit);
    if (!snapshot) {
      snapshot = this.readUncached(commit);
      this.snapshots.set(commit, snapshot);
      snapshot.catch(() => this.snapshots.delete(commit));
    }
    return snapshot;
  }

  private async readUncached(commit: string): Promise<Map<string, FileEntry>> {
    // Listing the tree is also the test that the cache holds the commit (`^{commit}`: a tree or
    // blob id is no template version); only when it fails is the template fetched.
    const list = () => this.git.raw(['ls-tree', '-r', '-l', '-z', '--full-tree', `${commit}^{commit}`, '--']);
    const listing = await list().catch(async () => {
      await this.ensureCommit(commit);
      return list();
    });
    const entries = parseTree(listing);
    const blobs = await this.readBlobs(entries);
    return new Map(entries.map((entry) => [entry.path, { content: blobs.get(entry.sha) ?? Buffer.alloc(0), mode: entry.mode }]));
  }

  /** Every blob in one `git cat-file --batch`. */
  private readBlobs(entries: readonly TreeEntry[]): Promise<Map<string, Buffer>> {
    return readBlobsBatch(this.dir, entries.map((entry) => entry.sha), {
      // Local work, but under the same restrictions and deadline as the template's other git commands.
      ...(this.options.env && { env: this.options.env }),
      ...(this.options.protocols && { protocols: this.options.protocols }),
      ...(this.options.bounds?.signal && { signal: this.options.bounds.signal }),
    });
  }

  /** A commit's tree id and committer date (ISO 8601): how a copy of the template is matched to a release. */
  async commitInfo(commit: string): Promise<{ tree: string; date: string }> {
    await this.ensureCommit(commit);
    const [tree = '', date = ''] = (await this.git.raw(['show', '-s', '--format=%T%x00%cI', commit])).trim().split('\0');
    return { tree, date };
  }

  /**
   * Whether `ancestor` is a strict ancestor of `descendant` in the template's history: how refs
   * that are not versions (branches, SHAs) are put in order. Unrelated commits are not.
   */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    if (ancestor === descendant) return false;
    await this.ensureCommit(ancestor);
    await this.ensureCommit(descendant);
    // `merge-base A B` prints A exactly when A is an ancestor of B (`--is-ancestor` answers only
    // by exit code, which simple-git does not report); unrelated histories print nothing.
    const base = await this.git.raw(['merge-base', ancestor, descendant]).catch(() => '');
    return base.trim() === ancestor;
  }

  /** When a commit was made (its committer date): what cookiecutter's `{% now %}` renders, so a version always renders alike. */
  async committedAt(commit: string): Promise<Date> {
    await this.ensureCommit(commit);
    return new Date((await this.git.raw(['show', '-s', '--format=%cI', commit, '--'])).trim());
  }

  /** The template's default branch (what its HEAD names), as cruft follows a template without releases; undefined when HEAD names none. */
  async defaultBranch(): Promise<string | undefined> {
    const listing = await this.run(['ls-remote', '--symref', '--', this.location.url, 'HEAD']);
    return /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(listing)?.[1];
  }

  private async ensureCommit(commit: string): Promise<void> {
    if (await this.hasCommit(commit)) return;
    const failure = await this.fetchAll();
    if (await this.hasCommit(commit)) return;
    if (failure) throw failure;
    // A commit no branch or tag reaches any more (a rewritten history): ask for it by name.
    await this.run(['fetch', '--quiet', '--progress', '--no-tags', '--', this.location.url, commit]).catch(() => undefined);
    if (!(await this.hasCommit(commit))) {
      throw new UserError(`Template ${this.location.display} has no commit ${commit}`);
    }
  }

  /** Fetches every branch and tag of the template into the cache; resolves to the failure, if any, for the caller to weigh. */
  private fetchAll(): Promise<Error | undefined> {
    // Reads of two commits side by side that both miss share one fetch.
    this.fetching ??= this.fetchAllNow().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async fetchAllNow(): Promise<Error | undefined> {
    try {
      await this.options.beforeFetch?.();
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    this.options.onProgress?.(`Fetching template ${this.location.display}`);
    // Several updates may fill one cache at once (other repositories, other processes).
    // unpackLimit=1 keeps what a fetch brings as one pack, which appears whole, so nobody sees a
    // commit before its tree; and when two fetches race for the refs, the loser finds the
    // commit the winner brought.
    // `--progress` keeps git talking while it receives, so only a silent git trips the stall backstop.
    const fetched = this.run(['-c', 'fetch.unpackLimit=1', 'fetch', '--quiet', '--progress', '--force', '--no-tags', '--', this.location.url,
      '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*']);
    return fetched.then(() => undefined, (error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  }

  private async hasCommit(commit: string): Promise<boolean> {
    try {
      // `-t` (not `-e`): a command that prints nothing costs an extra 50 ms wait in simple-git.
      await this.git.raw(['cat-file', '-t', `${commit}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  }

  /** Ref name → commit, as the remote lists its branches and tags (asked once). */
  listedRefs(): Promise<ReadonlyMap<string, string>> {
    return this.refs();
  }

  private refs(): Promise<ReadonlyMap<string, string>> {
    if (!this.remoteRefs && this.options.knownRefs) this.remoteRefs = Promise.resolve(this.options.knownRefs);
    if (!this.remoteRefs) {
      this.options.onProgress?.(`Listing the tags of template ${this.location.display}`);
      this.remoteRefs = this.run(['ls-remote', '--tags', '--heads', '--', this.location.url]).then(parseLsRemote);
    }
    return this.remoteRefs;
  }

  /** Runs a git command that talks to the template's host; failures become one clear, redacted message (a TransientError when the host failed for now). */
  private async run(args: string[]): Promise<string> {
    try {
      return await this.git.raw(args);
    } catch (error) {
      // git's reason is its first `fatal:` line; what follows is advice ("and the repository exists.").
      const lines = redact(String((error as Error).message ?? error), this.options.secrets).split('\n').map((line) => line.trim()).filter(Boolean);
      const detail = (lines.find((line) => /^(fatal|error):/.test(line)) ?? lines[0] ?? '').replace(/^(fatal|error):\s*/, '');
      const message = `Cannot read template ${this.location.display}: ${detail}`;
      // A host that failed for now (5xx, refused, stalled) is tried again later; the rest is the template source's problem.
      throw remoteGitFailure(error, message);
    }
  }
}

interface TreeEntry {
  readonly mode: FileMode;
  readonly sha: string;
  readonly size: number;
  readonly path: string;
}

function parseTree(listing: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of listing.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode, type, sha, size] = record.slice(0, tab).split(/ +/);
    const path = record.slice(tab + 1);
    if (type === 'commit') {
      throw new UserError(`Template contains a git submodule at ${path}; submodules cannot be rendered`);
    }
    if (type !== 'blob' || !sha) continue;
    const fileMode: FileMode = mode === '120000' ? '120000' : mode === '100755' ? '100755' : '100644';
    entries.push({ mode: fileMode, sha, size: Number(size), path });
  }
  return entries;
}

function parseLsRemote(output: string): Map<string, string> {
  const refs = new Map<string, string>();
  for (const line of output.split('\n')) {
    const [sha, name] = line.split('\t');
    if (!sha || !name) continue;
    // An annotated tag is listed twice; the `^{}` line is the commit it points at.
    if (name.endsWith('^{}')) refs.set(name.slice(0, -3), sha);
    else if (!refs.has(name)) refs.set(name, sha);
  }
  return refs;
}
